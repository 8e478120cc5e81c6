"""Shared helpers for the benchmarks: where ../shared is, and loading its data sets."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

from rag.evaluation import table

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RAG_SHARED_DIR", ROOT.parent / "shared"))
RESULTS = ROOT / "bench" / "results"


def require(path: Path) -> Path:
    """Exit with a clear message when a data set is missing (outside the project's CI setting)."""
    if not path.exists():
        sys.exit(f"missing {path}: put the shared data beside the checkout or set RAG_SHARED_DIR")
    return path


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_corpus(records: list[dict], folder: Path) -> None:
    """Write each record as `<_id>.txt` (title, blank line, text) unless the folder is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.txt"))) == len(records):
        return
    for record in records:
        body = f"{record.get('title', '')}\n\n{record['text']}".strip()
        (folder / f"{record['_id']}.txt").write_text(body + "\n", encoding="utf-8")


def print_table(rows: list[dict], columns: list[str]) -> None:
    print(table(rows, columns))


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return path
