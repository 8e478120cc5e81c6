"""The format registry: `FORMATS` maps a file suffix to a `Format`, whose `read` (one module per
format here) turns a file into the text of each of its pages. Folder scanning, uploads and the
UI's file picker all follow from it.

Format modules may import `encoding`, `archive`, each other and `rag.ingestion.ocr`; only this
module knows them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...errors import LoadError
from . import docx, eml, epub, html, image, ipynb, odt, pdf, pptx, rtf, spreadsheet, text


@dataclass(frozen=True)
class Format:
    """How files of one kind become page texts. `read(path, max_bytes)` returns the text of each
    page (one item for formats without pages). Bump `version` whenever the text a loader gives
    changes: every file it read is then indexed again at the next sync."""

    read: Callable[[Path, int], list[str]]
    version: int = 1
    paged: bool = False  # pages are numbered (citations name the page)
    empty_hint: str = ""  # added to "no text could be extracted"
    ocr: bool = False  # reads images with OCR when it is on (RAG_OCR), so its text depends on it


_TEXT = Format(text.read)
# 2: a data table's rows one to a line, cells named by their column's header (html.py).
# 3: a row headed by its own first cell reads "Term: value." (a table of terms was one sentence).
_HTML = Format(html.read, version=3)
_IMAGE = Format(image.read, paged=True, ocr=True)
# The registry: one entry per suffix. Adding a format is a module with its `read`, one line here,
# and its test.
FORMATS: dict[str, Format] = {
    ".txt": _TEXT,
    ".md": _TEXT,
    ".markdown": _TEXT,
    # 2: pages without a text layer read by OCR. 3: sentences cut by a page break made whole.
    ".pdf": Format(pdf.read, version=3, paged=True, ocr=True),
    ".html": _HTML,
    ".htm": _HTML,
    ".docx": Format(docx.read),
    ".pptx": Format(pptx.read, paged=True),
    ".xlsx": Format(spreadsheet.read_xlsx, paged=True),
    ".csv": Format(spreadsheet.read_csv),
    ".epub": Format(epub.read, version=2, paged=True),  # 2: as _HTML
    ".odt": Format(odt.read),
    ".rtf": Format(rtf.read),
    ".eml": Format(eml.read, version=2),  # 2: as _HTML
    ".ipynb": Format(ipynb.read, paged=True),
    ".png": _IMAGE,
    ".jpg": _IMAGE,
    ".jpeg": _IMAGE,
    ".tif": _IMAGE,
    ".tiff": _IMAGE,
    # Markup read as text: chunking knows reStructuredText adornments, and headings of all three
    # end at their line break.
    ".rst": _TEXT,
    ".adoc": _TEXT,
    ".asciidoc": _TEXT,
    ".org": _TEXT,
}
SUPPORTED_SUFFIXES = tuple(FORMATS)


def format_of(path: Path) -> Format:
    """The registered format for `path`'s suffix; LoadError naming the supported ones if none."""
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise LoadError(
            f"unsupported file type {path.suffix.lower() or '(no extension)'!r}; "
            f"supported: {', '.join(FORMATS)}"
        )
    return file_format
