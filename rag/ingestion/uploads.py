"""Uploads: checked, given a name that cannot escape the upload folder or confuse a file
system, and copied in so no reader ever sees half a file."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from ..errors import InvalidInput
from ..index.files import atomic_copy

_UNSAFE = re.compile(r"[^\w.\- ]+")
_MAX_NAME = 120


def safe_filename(filename: str) -> str:
    """A plain file name from whatever a client sent: no folders ('../../x', '/etc/x', 'C:\\x'),
    no control or exotic characters, no leading dots (hidden files), at most 120 characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", filename or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")  # controls, format
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: _MAX_NAME - len(suffix) - 1].strip(" .") or "upload"
    return f"{stem}.{suffix}" if suffix else stem


def stage_upload(
    filename: str, content: str | os.PathLike[str], folder: Path, max_mb: float, suffixes: tuple
) -> Path:
    """Check an upload (client-side `filename`, bytes at `content`) and copy it into `folder`
    under a safe name; InvalidInput for an empty, oversized or unsupported file, before anything
    is written."""
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise InvalidInput(
            f"{filename!r}: unsupported file type {suffix or '(none)'!r}; "
            f"supported: {', '.join(suffixes)}"
        )
    size = os.path.getsize(content)
    if size == 0:
        raise InvalidInput(f"{filename!r} is empty (0 bytes): nothing to index")
    limit = max_mb * 1e6
    if size > limit:
        raise InvalidInput(
            f"{filename!r} is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB upload limit "
            "(raise RAG_MAX_UPLOAD_MB)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    # Another session uploading the same name must never see (and index) a half-copied or
    # just-truncated file.
    atomic_copy(content, target)
    return target
