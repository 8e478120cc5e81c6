"""Plain text and markup read as text (markdown, reStructuredText, AsciiDoc, Org)."""

from __future__ import annotations

from pathlib import Path

from .encoding import decode_text


def read(path: Path, max_bytes: int) -> list[str]:
    return [decode_text(path.read_bytes())]
