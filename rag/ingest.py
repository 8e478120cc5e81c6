"""Incremental sync of files into the index: add new files, re-index changed ones (by content
hash), remove deleted ones, and leave unchanged ones alone. Safe to re-run; never duplicates."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .chunking import chunk_document
from .embed import Embedder
from .loaders import SUPPORTED_SUFFIXES, LoadError, load
from .settings import Settings
from .store import FileRecord, Store
from .types import FileFailure, IngestReport

# Called after each file with (files done, files in total, the file's source).
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class _Target:
    key: str  # absolute resolved path: one identity however the user spelled the path
    path: Path
    source: str  # the path as the user gave it (joined with the file's place in a given folder)


def sync(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Bring the index in step with `paths` (files and folders) and report what changed."""
    report = IngestReport()
    for key in store.orphan_keys():
        store.delete_chunks(key)
    targets, roots = _collect(paths, set(store.files), report)

    # A walk lists every indexed-kind file under a given path, so an indexed file under one that
    # the walk did not list was deleted (or renamed, hidden, or made unsupported) since.
    seen = {t.key for t in targets}
    for key, record in list(store.files.items()):
        if key not in seen and any(key == root or key.startswith(root + os.sep) for root in roots):
            store.remove_file(key)
            report.removed.append(record.source)

    for done, target in enumerate(targets, start=1):
        _sync_file(target, store, embedder, settings, report)
        if progress:
            progress(done, len(targets), target.source)
    return report


def _sync_file(
    target: _Target, store: Store, embedder: Embedder, settings: Settings, report: IngestReport
) -> None:
    previous = store.files.get(target.key)
    try:
        digest = _sha256(target.path)
        if previous and previous.sha256 == digest:
            report.unchanged.append(target.source)
            return
        document = load(target.path, target.source, int(settings.max_file_mb * 1e6))
    except LoadError as exc:
        report.failed.append(FileFailure(target.source, str(exc)))
        return
    except FileNotFoundError:
        report.failed.append(FileFailure(target.source, "file disappeared before it could be read"))
        return
    except OSError as exc:
        report.failed.append(FileFailure(target.source, f"could not read file: {exc.strerror}"))
        return
    chunks = chunk_document(document, settings.chunk_size, settings.chunk_overlap)
    vectors = embedder.embed([chunk.text for chunk in chunks])
    record = FileRecord(
        source=target.source,
        sha256=digest,
        size=target.path.stat().st_size if target.path.exists() else 0,
        chunks=len(chunks),
        indexed_at=time.time(),
    )
    store.replace_file(target.key, record, chunks, vectors)
    (report.updated if previous else report.added).append(target.source)
    report.chunks_added += len(chunks)


def _collect(
    paths: Iterable[str | os.PathLike[str]], known: set[str], report: IngestReport
) -> tuple[list[_Target], list[str]]:
    """Expand folders into the supported files below them. Also returns every path given (as
    keys): removal is limited to files under these, so ingesting one folder never drops another's."""
    targets: dict[str, _Target] = {}
    roots: list[str] = []
    for given in paths:
        given_path = Path(given)
        key = str(given_path.resolve())
        roots.append(key)
        if given_path.is_dir():
            for file in _walk(given_path):
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    report.skipped.append(
                        FileFailure(str(file), f"unsupported file type {file.suffix or '(none)'!r}")
                    )
                    continue
                file_key = str(file.resolve())
                targets.setdefault(file_key, _Target(file_key, file, str(file)))
        elif given_path.is_file():
            targets.setdefault(key, _Target(key, given_path, str(given_path)))
        elif not os.path.lexists(given_path):
            if key not in known:  # a known file that vanished is removed, not an error
                report.failed.append(FileFailure(str(given_path), "no such file or folder"))
        else:
            report.failed.append(FileFailure(str(given_path), "not a regular file or folder"))
    return sorted(targets.values(), key=lambda t: t.source), roots


def _walk(folder: Path) -> Iterable[Path]:
    """Files below `folder` in a stable order, skipping hidden entries. Symlinked folders are not
    followed, so a link loop cannot trap the walk."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
