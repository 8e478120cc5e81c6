"""Folders kept in step: sync them once, then again whenever files under them change.

watchfiles reports created, modified, moved and deleted files (inotify on Linux). Each batch of
changes leads to an ordinary sync of the watched paths, so watching has exactly the sync's rules
and crash-safety: unchanged files are recognised by their hash, links leading outside are not
followed, removed files lose their chunks."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..api import RAG, PathLike
from ..errors import IndexBusy
from ..types import FileFailure, IngestReport

# Changes are gathered until none has come for this long, and a changed file is read only once
# its size and modification time have held still this long: a file still being copied or saved
# is not read half-way.
QUIET_S = 0.5
_SETTLE_MAX_S = 30.0  # a file written for longer than this is read as it is, and again later
_LOCK_RETRIES = 5  # another writer holding the index: the sync is tried again, then reported


def watch(
    engine: RAG,
    paths: Iterable[PathLike],
    on_sync: Callable[[IngestReport], None] | None = None,
    stop: threading.Event | None = None,
    initial: bool = True,
) -> None:
    """Sync `paths` into `engine`'s index now (unless `initial` is False: the caller just did)
    and after every change under them, calling `on_sync` with each sync's report, until `stop`
    is set (or Ctrl-C)."""
    import watchfiles

    paths = [Path(p) for p in paths]
    stop = stop or threading.Event()
    if initial:
        _report(on_sync, _sync(engine, paths))
    ignored = [str(Path(engine.settings.index_dir).resolve())]
    watched = [p for p in paths if p.exists()]
    if not watched:
        return

    def relevant(_change: object, path: str) -> bool:
        name = os.path.basename(path)
        resolved = os.path.realpath(path)
        return not name.startswith(".") and not any(
            resolved == folder or resolved.startswith(folder + os.sep) for folder in ignored
        )

    for changes in watchfiles.watch(
        *watched,
        watch_filter=relevant,
        step=int(QUIET_S * 1000),
        stop_event=stop,
        raise_interrupt=False,
    ):
        _settle({Path(path) for _change, path in changes}, stop)
        if stop.is_set():
            return
        _report(on_sync, _sync(engine, paths))


def _sync(engine: RAG, paths: list[Path]) -> IngestReport:
    """One sync of `paths`; an index kept busy by another writer is tried again a few times,
    then reported as this sync's failure (the next change tries again)."""
    attempts = _LOCK_RETRIES
    while True:
        try:
            return engine.ingest(paths)
        except IndexBusy as exc:
            attempts -= 1
            if not attempts:
                return IngestReport(failed=[FileFailure(str(paths[0]), str(exc))])


def _settle(paths: set[Path], stop: threading.Event) -> None:
    """Wait until each of `paths` that is a file has kept its size and modification time for
    QUIET_S (at most _SETTLE_MAX_S)."""
    deadline = time.monotonic() + _SETTLE_MAX_S
    before = _stamps(paths)
    while time.monotonic() < deadline and not stop.wait(QUIET_S):
        now = _stamps(paths)
        if now == before:
            return
        before = now


def _stamps(paths: set[Path]) -> dict[Path, tuple[int, int]]:
    stamps = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        stamps[path] = (info.st_size, info.st_mtime_ns)
    return stamps


def _report(on_sync: Callable[[IngestReport], None] | None, report: IngestReport) -> None:
    if on_sync is not None:
        on_sync(report)
