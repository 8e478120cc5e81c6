"""Files to Documents: each format's page texts (`rag.ingestion.formats`) joined, their whitespace
normalised, page spans kept.

The normalised text is the "extracted text" that every chunk and citation offset refers to."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import LoadError
from ..types import Document, Page
from .formats import Format, format_of

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Page texts are joined with this separator (a PDF's sentence that a page break cuts is first
# made whole on its first page: `formats.pdf.rejoined`).
PAGE_SEPARATOR = "\n\n"
# No language has words this long: a run of non-space characters over this many is encoded or
# binary data (base64, hex, a minified blob) that embeds to nothing a question can find. Such
# runs are left out of the text (long URLs, 100-500 characters, stay), and a file made mostly of
# them is refused: a 12 MB file of one "word" made 15,000 chunks and took 2 minutes to embed.
MAX_WORD_CHARS = 1000
_OVERLONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


def load(path: Path, source: str, max_bytes: int, file_format: Format | None = None) -> Document:
    """Read `path` into a Document whose `source` is the path as the user gave it, with the
    registered format for its suffix unless `file_format` is given."""
    file_format = file_format or format_of(path)
    try:
        check_size(path.stat().st_size, max_bytes)
        pages = file_format.read(path, max_bytes)
    except FileNotFoundError:
        raise LoadError("file disappeared before it could be read") from None
    except PermissionError:
        raise LoadError("permission denied: make the file readable and ingest again") from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a file") from None
    except (LoadError, MemoryError, RecursionError):
        raise
    except Exception as exc:  # a reader's library failing on a malformed file: this file's error
        raise LoadError(
            f"not a readable {path.suffix.lower()} file ({type(exc).__name__}: {exc}); check "
            "that it opens in its app, or re-save it"
        ) from None
    kept = sum(len(page) for page in pages)
    pages = [_OVERLONG_WORD.sub(" ", page) for page in pages]
    dropped = kept - sum(len(page) for page in pages)
    document = _assemble(source, pages, paged=file_format.paged)
    if dropped > len(document.text):
        raise LoadError(
            f'most of its text ({dropped:,} characters) is "words" over {MAX_WORD_CHARS:,} '
            "characters long, which no language has: encoded or binary data, not a document"
        )
    if not document.text.strip():
        raise LoadError(f"no text could be extracted{file_format.empty_hint}")
    return document


def check_size(size: int, max_bytes: int) -> None:
    """LoadError for a file too large to read, or empty."""
    if size > max_bytes:
        raise LoadError(
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(raise RAG_MAX_FILE_MB to index it)"
        )
    if size == 0:
        raise LoadError("empty file (0 bytes): nothing to index")


def normalize(text: str) -> str:
    """Collapse runs of spaces, trailing spaces and blank lines, so offsets stay stable and
    passages read cleanly; line breaks are kept because they often end headings and list items."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _assemble(source: str, pages: list[str], paged: bool) -> Document:
    """Join normalised page texts and remember which character range each page covers."""
    parts: list[str] = []
    spans: list[Page] = []
    offset = 0
    for number, raw in enumerate(pages, start=1):
        text = normalize(raw)
        if not text:
            continue
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        spans.append(Page(number if paged else None, offset, offset + len(text)))
        parts.append(text)
        offset += len(text)
    return Document(source=source, text="".join(parts), pages=tuple(spans))
