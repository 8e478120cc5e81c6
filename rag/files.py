"""Files replaced whole: written beside their target, flushed to disk, then renamed over it, so a
reader (another process, or this one after a crash) sees the old file or the new one, never
half of one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
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
