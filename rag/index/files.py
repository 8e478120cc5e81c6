"""Files on disk: replaced whole (written beside their target, flushed, then renamed over it, so
a reader, another process or this one after a crash, sees the old file or the new one, never
half of one), locked across processes, and measured."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8)."""
    with _replacing(path) as handle:
        handle.write(text.encode("utf-8"))


def atomic_copy(source: str | os.PathLike[str], path: Path) -> None:
    """Replace `path` with a copy of the file at `source`."""
    with _replacing(path) as handle, open(source, "rb") as original:
        shutil.copyfileobj(original, handle, 1 << 20)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    # The temporary name is hidden, so a sync of the folder never indexes it.
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


@contextlib.contextmanager
def locked(path: Path, timeout: float, busy: Exception) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing), waiting up to `timeout`
    seconds for another process to release it; then raise `busy`."""
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def folder_bytes(folder: Path) -> int:
    """Bytes the files under `folder` take. Another thread or process may replace files during
    the walk (temporary files come and go), so what vanishes is skipped, not an error."""
    total = 0
    for parent, _dirs, names in os.walk(folder):  # skips folders that vanish
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                total += os.stat(os.path.join(parent, name), follow_symlinks=False).st_size
    return total
