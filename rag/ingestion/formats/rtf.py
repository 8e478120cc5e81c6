"""Rich Text Format (.rtf), read with striprtf."""

from __future__ import annotations

from pathlib import Path

from ...errors import LoadError


def read(path: Path, max_bytes: int) -> list[str]:
    from striprtf.striprtf import rtf_to_text

    raw = path.read_bytes()
    if not raw.lstrip().startswith(b"{\\rtf"):
        raise LoadError("not an RTF file (it does not start with {\\rtf); re-save it as RTF")
    return [rtf_to_text(raw.decode("latin-1"), errors="ignore")]
