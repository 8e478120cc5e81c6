"""The one-call shortcuts `ingest`, `query`, `search` and `read_document`: each uses an engine
kept per index for the process."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from .answer.followup import Turn
from .api import RAG, PathLike
from .ingestion import ocr
from .ingestion.documents import load
from .ingestion.sync import ProgressCallback
from .settings import Settings
from .types import Answer, Document, IngestReport, Passage


def read_document(path: PathLike, max_file_mb: float | None = None) -> Document:
    """A file's extracted text, the text that citation offsets index into (scans read by OCR
    as ingest reads them, per RAG_OCR)."""
    settings = Settings.from_env()
    limit = max_file_mb if max_file_mb is not None else settings.max_file_mb
    with ocr.reading(settings.ocr):
        return load(Path(path), str(path), int(limit * 1e6))


# The engines the module-level functions use, one per index and settings, kept for the process:
# opening an index (Chroma, the search snapshot) costs far more than a search, so building one a
# call made `rag.search` ~7x slower than `RAG.search`. An engine follows its index's changes by
# itself (every search checks the manifest's generation), so one kept is never stale.
_ENGINES: dict[Settings, RAG] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(index: PathLike | None) -> RAG:
    settings = Settings.from_env(index_dir=index)
    # Keyed by the absolute folder: the same relative path names another one after a chdir.
    settings = dataclasses.replace(settings, index_dir=settings.index_dir.resolve())
    with _ENGINES_LOCK:
        engine = _ENGINES.get(settings)
        if engine is None:
            engine = _ENGINES[settings] = RAG(settings=settings)
    return engine


def ingest(
    paths: PathLike | Iterable[PathLike],
    index: PathLike | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Sync files and folders into the index at `index`."""
    return _engine(index).ingest(paths, progress=progress)


def query(
    question: str,
    index: PathLike | None = None,
    history: Sequence[Turn] = (),
    sources: Sequence[PathLike] | None = None,
) -> Answer:
    """Answer `question` from the index at `index`, with citations; only from the documents
    `sources` names (paths, folders, glob patterns), if given."""
    return _engine(index).query(question, history=history, sources=sources)


def search(
    query: str,
    k: int = 10,
    index: PathLike | None = None,
    sources: Sequence[PathLike] | None = None,
) -> list[Passage]:
    """The `k` passages most relevant to `query` in the index at `index` (from `sources` only,
    if given)."""
    return _engine(index).search(query, k=k, sources=sources)
