"""E-books (.epub): each document of the reading order a page."""

from __future__ import annotations

from pathlib import Path

from .archive import check_archive
from .encoding import decode_text
from .html import html_text


def read(path: Path, max_bytes: int) -> list[str]:
    """Each document of the book's reading order (spine) as a page: a chapter, in most books."""
    check_archive(path, max_bytes)
    import ebooklib
    from ebooklib import epub

    book = epub.read_epub(str(path), options={"ignore_ncx": True})
    chapters = []
    for item_id, _linear in book.spine:
        item = book.get_item_with_id(item_id)
        if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT:
            chapters.append(html_text(decode_text(item.get_content())))
    return chapters
