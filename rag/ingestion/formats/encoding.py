"""Bytes to text: UTF-8, UTF-16/32 with a BOM, or legacy 8-bit text line by line; binary data
refused. Every format that reads raw text goes through `decode_text`."""

from __future__ import annotations

import re

from ...errors import LoadError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Text whose share of control characters exceeds this is binary data, not a document.
_MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (or UTF-16/32 with a BOM), falling back to Windows-1252 for legacy
    8-bit text; refuse data that is not text at all."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_textual(data.decode(encoding, errors="replace"))
    try:
        return _check_textual(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Legacy 8-bit text, or a file pasted together from UTF-8 and legacy parts: decide per line,
    # so the UTF-8 lines of a mixed file are not turned into mojibake.
    return _check_textual("".join(_decode_line(line) for line in data.splitlines(keepends=True)))


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it completes the fallback.
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _check_textual(text: str) -> str:
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * max(len(text), 1):
        raise LoadError("binary data, not text: check the file's type or extension")
    return text
