"""Folders kept in step: while `watch` runs, adding, editing, renaming and deleting files shows in
the index within 5 s, and no chunk of the old state is left; `rag ingest --watch` does the same
from the shell."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import rag
from rag.serve.watch import watch

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out

WITHIN_S = 5.0


def _within(seconds: float, check: Callable[[], bool]) -> float:
    """Seconds until `check()` held; fails the test past `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


def _texts(engine: rag.RAG) -> str:
    return " ".join(p.text for p in engine.search("terns kites herons", k=20))


def test_watched_changes_reach_the_index_within_five_seconds(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "terns.md").write_text("Arctic terns migrate from pole to pole every year.\n")
    engine = rag.RAG(index=tmp_path / "index")
    stop = threading.Event()
    syncs: list[rag.IngestReport] = []
    watcher = threading.Thread(target=watch, args=(engine, [folder], syncs.append, stop))
    watcher.start()
    try:
        _within(60, lambda: bool(syncs))  # the first sync (and the model) done
        sources = lambda: {Path(d.source).name for d in engine.documents()}  # noqa: E731

        (folder / "kites.md").write_text("Kites fly best in a steady wind.\n")  # add
        _within(WITHIN_S, lambda: "kites.md" in sources())

        (folder / "terns.md").write_text("Arctic terns nest on the ground in colonies.\n")  # edit
        _within(WITHIN_S, lambda: "nest on the ground" in _texts(engine))
        assert "pole to pole" not in _texts(engine)

        (folder / "kites.md").rename(folder / "flying.md")  # rename
        _within(WITHIN_S, lambda: sources() == {"terns.md", "flying.md"})

        (folder / "terns.md").unlink()  # delete
        _within(WITHIN_S, lambda: sources() == {"flying.md"})
        assert "terns" not in _texts(engine).lower()
        assert engine.status().chunks == 1

        # A file written slowly is read once it holds still, not half-way.
        with (folder / "herons.md").open("w") as handle:
            handle.write("Grey herons stand still in shallow water ")
            handle.flush()
            time.sleep(0.3)
            handle.write("and strike at passing fish.\n")
        _within(WITHIN_S, lambda: "passing fish" in _texts(engine))
        added = [s for report in syncs for s in report.added + report.updated]
        assert sum(Path(s).name == "herons.md" for s in added) == 1
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()


def test_rag_ingest_watch_from_the_shell(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "terns.md").write_text("Arctic terns migrate from pole to pole every year.\n")
    index = tmp_path / "index"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rag.serve.cli",
            "ingest",
            str(folder),
            "--index",
            str(index),
            "--watch",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()

    def line_with(text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            with contextlib.suppress(queue.Empty):
                if text in (line := lines.get(timeout=remaining)):
                    return line
        raise AssertionError(f"no line with {text!r} within {seconds} s")

    try:
        assert "1 added" in line_with("added", 120)
        line_with("watching for changes", 10)
        time.sleep(1)  # the watcher starts right after saying so
        (folder / "kites.md").write_text("Kites fly best in a steady wind.\n")
        assert "1 added, 0 updated, 0 removed, 1 unchanged" in line_with("added", WITHIN_S)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert rag.RAG(index=index).search("kites", k=1)[0].text.startswith("Kites fly")
