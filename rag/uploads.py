"""Names for uploaded files that cannot escape the upload folder or confuse a file system."""

from __future__ import annotations

import re
import unicodedata

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
