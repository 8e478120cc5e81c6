"""Query latency at 1k, 10k and 100k chunks: p50/p95 of `rag.RAG.query` (extractive, hybrid).

    python bench/latency.py [--sizes 1000 10000 100000] [--queries 100]

The base is real: the Natural Questions passages (../shared/data/nq-oracle) ingested with rag
(cached in bench/results/cache). Larger indexes add blends of real text so the bench takes
minutes, not hours: each extra chunk joins the first half of one real passage's sentences to the
second half of another's, with the normalised sum of their two embeddings as its vector and their
stored sentence vectors (no re-encoding). The
questions are NQ dev questions, whose gold passages are in every index. Each index is measured
in a fresh process, its files first dropped from the OS page cache: start-up (open, load the
model, warm up), the first (cold) query, warm p50/p95, RSS, and the time to add one file.
Writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from calibrate import CACHE, NQ, build_index, load_questions
from common import print_table, save

import rag
from rag.index.records import FileRecord
from rag.index.store import Store
from rag.text.chunking import sentence_spans
from rag.types import Chunk, SentenceVectors

CHUNKS_PER_FILE = 10


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process now (MB): all of it ("VmRSS"), or the part no file
    backs ("RssAnon"); the rest is mapped files, such as the search snapshot's arrays, whose
    pages the kernel shares and can drop."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def base_chunks(engine: rag.RAG, gold: set[str]) -> list[tuple[Chunk, np.ndarray, SentenceVectors]]:
    """Every chunk of the base index with its stored vectors, the questions' gold passages
    first (so even the smallest index holds them)."""
    rows = [
        (stored.chunk, stored.vector, stored.sentences) for stored in engine.store.stored_chunks()
    ]
    return sorted(rows, key=lambda row: Path(row[0].source).stem not in gold)


def blend(n: int, a: tuple, b: tuple) -> tuple[Chunk, np.ndarray, SentenceVectors]:
    """The first half of chunk `a`'s sentences then the second half of `b`'s, as one chunk whose
    vectors come from theirs (see the module doc). Its sentences are split as ingest would split
    them; each takes the stored vector of the source sentence it starts in."""
    parts, starts, rows = [], [], []
    length = 0
    for (chunk, _, sentences), half in ((a, 0), (b, 1)):
        count = len(sentences.spans)
        chosen = range(0, (count + 1) // 2) if half == 0 else range(count // 2, count)
        for i in chosen:
            start, end = sentences.spans[i]
            length += 1 if parts else 0  # the joining space
            starts.append(length)
            rows.append(sentences.vectors[i])
            parts.append(chunk.text[start:end])
            length += end - start
    text = " ".join(parts)
    spans = tuple(sentence_spans(text))
    source_of = [max(bisect.bisect_right(starts, start) - 1, 0) for start, _ in spans]
    vector = a[1] + b[1]
    chunk = Chunk(f"blend/{n // CHUNKS_PER_FILE}.txt", None, 0, len(text), text)
    matrix = np.asarray([rows[i] for i in source_of], dtype=np.float32)
    return (
        chunk,
        vector / np.linalg.norm(vector),
        SentenceVectors(spans, matrix.reshape(len(spans), -1)),
    )


def grown(rows: list[tuple], size: int, seed: int = 0) -> list[tuple]:
    """`size` chunks: the real ones first, then blends of two real ones."""
    rng = np.random.default_rng(seed)
    out = list(rows[:size])
    pairs = rng.integers(0, len(rows), (max(size - len(out), 0), 2))
    out += [blend(n, rows[i], rows[j]) for n, (i, j) in enumerate(pairs)]
    return out


def build_sized(base: rag.RAG, size: int, gold: set[str], folder: Path) -> Path:
    """An index of exactly `size` chunks in `folder` (kept for the next run); written through
    Store like an ingest, then its search snapshot built, as ingest does."""
    if not (folder / "manifest.json").exists():
        _write_sized(base, size, gold, folder)
    rag.RAG(index=folder).warm_up()  # loads the saved snapshot, or builds it once
    return folder


def _write_sized(base: rag.RAG, size: int, gold: set[str], folder: Path) -> None:
    rows = grown(base_chunks(base, gold), size)
    store = Store(folder, base.settings.embed_model, rebuild=True)
    by_file: dict[str, list[tuple]] = {}
    for row in rows:
        by_file.setdefault(row[0].source, []).append(row)
    batch = []
    for source, mine in by_file.items():
        digest = hashlib.sha256(source.encode()).hexdigest()
        record = FileRecord(source, digest, 0, len(mine), time.time())
        chunks, vectors, sentences = zip(*mine, strict=True)
        batch.append((source, record, list(chunks), np.stack(vectors), list(sentences)))
        if len(batch) == 500:
            store.replace_files(batch)
            batch = []
    store.replace_files(batch)


def evict(folder: Path) -> None:
    """Ask the OS to drop `folder`'s files from its page cache, so start-up and the first query
    read the index from disk as after a reboot (otherwise whether they do depends on what ran
    before: a 100k index's first query took 15 ms or 250 ms). Where the OS has no such call
    (macOS), pages stay cached and the cold figures are best cases."""
    if not hasattr(os, "posix_fadvise"):
        return
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            descriptor = os.open(os.path.join(parent, name), os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def measure(folder: Path, questions: list[str]) -> dict:
    """Run in a fresh process (see main), so RSS and the cold query are this index's alone."""
    evict(folder)
    started = time.perf_counter()
    engine = rag.RAG(index=folder)
    engine.warm_up()
    startup = time.perf_counter() - started
    started = time.perf_counter()
    engine.query(questions[0])
    cold = time.perf_counter() - started
    times = []
    for question in questions[1:]:
        started = time.perf_counter()
        engine.query(question)
        times.append(time.perf_counter() - started)
    # The module-level shortcut against the object, in this process: each search p50.
    shortcut, method = [], []
    for question in questions[1:]:
        started = time.perf_counter()
        rag.search(question, index=folder)
        shortcut.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.search(question)
        method.append(time.perf_counter() - started)
    result = {
        "chunks": engine.status().chunks,
        "search_p50_ms": 1000 * float(np.percentile(method, 50)),
        "rag_search_vs_RAG_search": float(np.percentile(shortcut, 50) / np.percentile(method, 50)),
        "startup_s": startup,
        "cold_ms": 1000 * cold,
        "p50_ms": 1000 * float(np.percentile(times, 50)),
        "p95_ms": 1000 * float(np.percentile(times, 95)),
        "rss_mb": rss_mb(),
        "rss_anon_mb": rss_mb("RssAnon"),
    }
    # What adding one document to an index of this size costs (ingest, search snapshot
    # included); it is removed again so the cached index stays as built.
    with tempfile.TemporaryDirectory() as folder:
        note = Path(folder) / "note.txt"
        note.write_text("Barn owls hunt at night, finding mice by sound alone.\n")
        started = time.perf_counter()
        report = engine.ingest([note])
        result["add_one_file_s"] = time.perf_counter() - started
        assert report.added == [str(note)], report
        engine.remove(str(note))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one index, in a child
    args = parser.parse_args()
    held_out = load_questions(args.queries + 1)[1]
    questions = [q["q"] for q in held_out]
    if args.measure:
        print(json.dumps(measure(args.measure, questions)))
        return
    base = build_index("nq", NQ / "corpus.jsonl.gz")
    gold = {pid for q in held_out for pid in q["gold"]}
    rows = []
    for size in args.sizes:
        started = time.perf_counter()
        folder = build_sized(base, size, gold, CACHE / f"latency-{size}-{len(gold)}")
        print(f"{size} chunks ready in {time.perf_counter() - started:.0f} s")
        child = [sys.executable, __file__, "--measure", str(folder), "--queries", str(args.queries)]
        output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    smallest = rows[0]["p50_ms"]
    for row in rows:
        row["p50_vs_smallest"] = row["p50_ms"] / smallest
    print_table(
        rows,
        [
            "chunks",
            "startup_s",
            "cold_ms",
            "p50_ms",
            "p95_ms",
            "p50_vs_smallest",
            "search_p50_ms",
            "rag_search_vs_RAG_search",
            "rss_mb",
            "rss_anon_mb",
            "add_one_file_s",
        ],
    )
    payload = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "queries": args.queries,
        "rows": rows,
    }
    print(f"wrote {save('latency', payload)}")


if __name__ == "__main__":
    main()
