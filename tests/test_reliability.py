"""Crash safety and concurrent writers: kill ingest at random points, then check the index
opens, answers, and a re-run converges to exactly the state of an uninterrupted run."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag

from .conftest import ROOT, SHARED

# Bounded for CI; RAG_CRASH_LOOPS=50 runs a longer loop by hand.
CRASH_LOOPS = int(os.environ.get("RAG_CRASH_LOOPS", "4"))
FILES = 240


def _rag_process(*args: str, index: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=ROOT,
        env={**os.environ, "RAG_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(index: Path) -> dict[str, int]:
    """Chunks per source as Chroma holds them, after checking the invariants."""
    engine = rag.RAG(index=index)
    got = engine.store._collection.get(include=["metadatas"])
    ids = got["ids"]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    per_source: dict[str, int] = {}
    for meta in got["metadatas"]:
        per_source[meta["source"]] = per_source.get(meta["source"], 0) + 1
    manifest = {r.source: r.chunks for r in engine.store.files.values()}
    assert per_source == manifest, "Chroma and the manifest disagree"
    assert set(engine.retriever.lexical().ids) == set(ids), "BM25 side out of step"
    return per_source


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred real passages (NQ's Wikipedia corpus), one file each."""
    folder = tmp_path_factory.mktemp("crash-corpus")
    with gzip.open(SHARED / "data" / "nq-oracle" / "corpus.jsonl.gz", "rt") as handle:
        for _, line in zip(range(FILES), handle, strict=False):
            record = json.loads(line)
            (folder / f"{record['_id']}.txt").write_text(f"{record['title']}\n\n{record['text']}")
    return folder


def test_sigkill_during_ingest_converges(corpus: Path, tmp_path: Path):
    reference = tmp_path / "reference"
    done = _rag_process("ingest", str(corpus), "--quiet", index=reference)
    assert done.wait(timeout=600) == 0, done.stderr.read() if done.stderr else ""
    expected = _state(reference)
    assert len(expected) == FILES

    index = tmp_path / "crashed"
    rng = random.Random(20261125)
    kills = 0
    for _ in range(CRASH_LOOPS):
        process = _rag_process("ingest", str(corpus), "--quiet", index=index)
        time.sleep(rng.uniform(3.0, 12.0))  # model load takes a few seconds, then writes begin
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        # After each kill the index opens and answers; hidden orphans never surface twice.
        if (index / "manifest.json").exists():
            engine = rag.RAG(index=index)
            hits = engine.search("history of the city", k=10)
            assert len({(h.source, h.start) for h in hits}) == len(hits)
    assert kills >= 1, "no run was interrupted: raise the sleep range"

    final = _rag_process("ingest", str(corpus), "--quiet", index=index)
    assert final.wait(timeout=600) == 0
    assert _state(index) == expected


def test_second_writer_waits_then_refuses_clearly(tmp_path: Path):
    index = tmp_path / "index"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Puffins nest in burrows on sea cliffs.")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, rag\n"
            f"store = rag.RAG(index={str(index)!r}).store\n"
            "with store.writing(5):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(30)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        blocked = _rag_process("ingest", str(docs), index=index, RAG_LOCK_TIMEOUT_S="1")
        _out, err = blocked.communicate(timeout=120)
        assert blocked.returncode == 2
        assert "another process is writing to the index" in err
    finally:
        holder.kill()
        holder.wait()
    after = _rag_process("ingest", str(docs), "--quiet", index=index)
    assert after.wait(timeout=300) == 0  # the lock is released when its holder dies
    assert _state(index) == {str(docs / "a.txt"): 1}
