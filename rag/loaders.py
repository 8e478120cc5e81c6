"""Files to Documents: extract text (with page numbers for PDFs) and normalise its whitespace.

The normalised text is the "extracted text" that every chunk and citation offset refers to."""

from __future__ import annotations

import logging
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import LoadError
from .types import Document, Page

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
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_HTML_BLOCKS = {
    "p",
    "div",
    "li",
    "br",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "section",
    "table",
    "ul",
    "ol",
    "dt",
    "dd",
    "figcaption",
    "caption",
    "hr",
}
# Page texts of a PDF are joined with this separator, so sentences never straddle pages.
PAGE_SEPARATOR = "\n\n"
# A line among the first or last few of a PDF page that recurs, digits aside, near the edge of
# at least this share of its pages is a running header or footer ("Report Title", "Page 3 of 40").
_RUNNING_EDGE_LINES = 3
_RUNNING_SHARE = 0.5
_DIGITS = re.compile(r"\d+")
# No language has words this long: a run of non-space characters over this many is encoded or
# binary data (base64, hex, a minified blob) that embeds to nothing a question can find. Such
# runs are left out of the text (long URLs, 100-500 characters, stay), and a file made mostly of
# them is refused: a 12 MB file of one "word" made 15,000 chunks and took 2 minutes to embed.
MAX_WORD_CHARS = 1000
_OVERLONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")
# A part of a zip-based document over _ZIP_RATIO_FROM bytes unpacked that unpacks to over
# _ZIP_MAX_RATIO times its packed size is a zip bomb: real Office XML packs 10-20 to 1 (the
# shared .docx files: at most 19).
_ZIP_MAX_RATIO = 200
_ZIP_RATIO_FROM = 1_000_000


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


def format_of(path: Path) -> Format:
    """The registered format for `path`'s suffix; LoadError naming the supported ones if none."""
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise LoadError(
            f"unsupported file type {path.suffix.lower() or '(no extension)'!r}; "
            f"supported: {', '.join(FORMATS)}"
        )
    return file_format


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


def read_plain_text(path: Path, max_bytes: int) -> list[str]:
    return [decode_text(path.read_bytes())]


def _html_page(path: Path, max_bytes: int) -> list[str]:
    return [_html_text(decode_text(path.read_bytes()))]


def _docx_page(path: Path, max_bytes: int) -> list[str]:
    return [_docx_text(path, max_bytes)]


def _pdf_pages(path: Path, max_bytes: int) -> list[str]:
    """Text of each page, in order. pypdf directly rather than llama-index's PDFReader: that reader
    retries a corrupt file three times and then hides pypdf's error inside a tenacity RetryError."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
        return without_running_lines([page.extract_text() or "" for page in reader.pages])
    except FileNotDecryptedError:
        raise LoadError("PDF is encrypted: remove its password and ingest again") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise LoadError(f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from None


def without_running_lines(pages: list[str]) -> list[str]:
    """`pages` without their running headers and footers after the first page. Left in, a header
    that repeats the document's title starts every page's first chunk, and those chunks then
    outrank the body text in any search about the title's subject (a CRS report's 39 pages:
    4 of the top 5 passages for a question about it were page tops). The first page keeps its
    lines: there the title is the title."""
    needed = max(2, math.ceil(_RUNNING_SHARE * len(pages)))
    if len(pages) < needed:
        return pages
    counts = Counter(key for page in pages for key in {key for _, key in _edge_lines(page)})
    running = {key for key, count in counts.items() if count >= needed}
    if not running:
        return pages
    kept = [pages[0]]
    for page in pages[1:]:
        lines = page.split("\n")
        dropped = {i for i, key in _edge_lines(page) if key in running}
        kept.append("\n".join(line for i, line in enumerate(lines) if i not in dropped))
    return kept


def _edge_lines(page: str) -> list[tuple[int, str]]:
    """(line number, comparison key) of the first and last few non-blank lines of a page; the
    key ignores case, spacing and digits, so "Page 3" and "Page 4" are one running line."""
    filled = [(i, line) for i, line in enumerate(page.split("\n")) if line.strip()]
    edge = filled[:_RUNNING_EDGE_LINES] + filled[_RUNNING_EDGE_LINES:][-_RUNNING_EDGE_LINES:]
    return [(i, " ".join(_DIGITS.sub("#", line).lower().split())) for i, line in edge]


def _docx_text(path: Path, max_bytes: int) -> str:
    check_archive(path, max_bytes)
    DocxReader = _docx_reader()  # noqa: N806 (a class)
    try:
        return DocxReader().load_data(path)[0].text
    except KeyError as exc:
        raise LoadError(f"not a valid .docx (missing part {exc})") from None


def check_archive(path: Path, max_bytes: int) -> None:
    """Refuse a zip-based document (docx and the like) before any reader unpacks it: one that
    unpacks to more than `max_bytes` or far more than real documents compress (a zip bomb), or
    whose XML declares a DTD or entities (an entity bomb: a few KB that expand to gigabytes;
    Office formats never declare them). The XML is parsed here with defusedxml, which refuses
    both, because the readers after us use the standard library's parser."""
    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    name = path.suffix.lower()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > max_bytes:
                raise LoadError(
                    f"{name} unpacks to {unpacked / 1e6:.0f} MB, over the "
                    f"{max_bytes / 1e6:.0f} MB limit (a zip bomb, or raise RAG_MAX_FILE_MB)"
                )
            for info in members:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > _ZIP_RATIO_FROM and ratio > _ZIP_MAX_RATIO:
                    raise LoadError(
                        f"{name} part {info.filename} unpacks to {ratio:.0f} times its packed "
                        f"size, over the {_ZIP_MAX_RATIO} limit for real documents (a zip bomb)"
                    )
            for info in members:
                if info.filename.endswith((".xml", ".rels")):
                    try:
                        defusedxml.ElementTree.fromstring(archive.read(info), forbid_dtd=True)
                    except DefusedXmlException:
                        raise LoadError(
                            f"{name} part {info.filename} declares a DTD or XML entities, which "
                            "real documents never do (an entity bomb?); re-save it from its app"
                        ) from None
                    except defusedxml.ElementTree.ParseError as exc:
                        raise LoadError(
                            f"not a valid {name}: its part {info.filename} is not XML ({exc})"
                        ) from None
    except zipfile.BadZipFile:
        raise LoadError(
            f"not a valid {name} (it is not a zip archive); re-save it from its app"
        ) from None


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


def _html_text(markup: str) -> str:
    """Visible text of the page's main content. Written here rather than using llama-index's
    HTMLTagReader because that reader keeps navigation menus and reads only one tag name."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "svg"]):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    strings = main.interesting_string_types or main.MAIN_CONTENT_STRING_TYPES
    # One pass with an explicit stack, as get_text() would but ending every block tag with a line
    # break (inline tags such as links and emphasis must not break sentences). Appending those
    # breaks to the tree instead costs time in proportion to each tag's depth: 50,000 nested
    # <div>s took minutes.
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(main.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif isinstance(node, NavigableString):
            if type(node) in strings:
                parts.append(str(node))
        else:
            if node.name in _HTML_BLOCKS:
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


@dataclass(frozen=True)
class Format:
    """How files of one kind become page texts. `read(path, max_bytes)` returns the text of each
    page (one item for formats without pages). Bump `version` whenever the text a loader gives
    changes: every file it read is then indexed again at the next sync."""

    read: Callable[[Path, int], list[str]]
    version: int = 1
    paged: bool = False  # pages are numbered (citations name the page)
    empty_hint: str = ""  # added to "no text could be extracted"


_TEXT = Format(read_plain_text)
_HTML = Format(_html_page)
# The registry: one entry per suffix. Adding a format is one line here plus its test.
FORMATS: dict[str, Format] = {
    ".txt": _TEXT,
    ".md": _TEXT,
    ".markdown": _TEXT,
    ".pdf": Format(_pdf_pages, paged=True, empty_hint=" (a scanned PDF needs OCR first)"),
    ".html": _HTML,
    ".htm": _HTML,
    ".docx": Format(_docx_page),
}
SUPPORTED_SUFFIXES = tuple(FORMATS)
