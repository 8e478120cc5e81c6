"""Word documents (.docx), read by llama-index's DocxReader after the archive check."""

from __future__ import annotations

import logging
from pathlib import Path

from ...errors import LoadError
from .archive import check_archive


def read(path: Path, max_bytes: int) -> list[str]:
    return [_docx_text(path, max_bytes)]


def _docx_text(path: Path, max_bytes: int) -> str:
    check_archive(path, max_bytes)
    DocxReader = _docx_reader()  # noqa: N806 (a class)
    try:
        return DocxReader().load_data(path)[0].text
    except KeyError as exc:
        raise LoadError(f"not a valid .docx (missing part {exc})") from None


def _docx_reader():  # -> llama-index's DocxReader class
    """llama-index's DocxReader. Importing it imports every reader of its package, and one of
    them (slides) calls `logging.basicConfig` on import, which printed other libraries' log
    lines over `rag ingest`'s progress bar; the root logger's configuration is put back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    from llama_index.readers.file import DocxReader

    root.handlers[:] = handlers
    root.setLevel(level)
    return DocxReader
