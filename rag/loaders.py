"""Files to Documents: extract text (with page numbers for PDFs) and normalise its whitespace.

The normalised text is the "extracted text" that every chunk and citation offset refers to."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import ocr
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
# Page texts of a PDF are joined with this separator (a sentence a page break cuts is first made
# whole on its first page: `rejoined`).
PAGE_SEPARATOR = "\n\n"
# A line among the first or last few of a PDF page that recurs, digits aside, near the edge of
# at least this share of its pages is a running header or footer ("Report Title", "Page 3 of 40").
_RUNNING_EDGE_LINES = 3
_RUNNING_SHARE = 0.5
_DIGITS = re.compile(r"\d+")
# A footnote's first line at a page's foot: its number, then its text ("10 UNCLOS Article 77").
_FOOTNOTE_LINE = re.compile(r"^[ \t]*(\d{1,3})[ \t]+\S", re.MULTILINE)
_GLUED_MARK = re.compile(r"[a-z.,;:)”’\"](\d{1,3})(?!\d)")
# A page whose text starts in lower case goes on with the sentence the page before left open.
_RUNS_ON = re.compile(r"\s*(?!https?:|www\.)[a-z]")
_CLOSES = tuple('.!?:;"”’)]')
_SENTENCE_STOP = re.compile(r"[.!?][\"'”’)\]]*\d{0,3}(?=\s|$)")
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
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENTITY_MARKERS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


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
    """Text of each page, in order; a page without a text layer (a scan) is read by OCR when it
    is on. pypdf directly rather than llama-index's PDFReader: that reader retries a corrupt file
    three times and then hides pypdf's error inside a tenacity RetryError."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
        texts = [page.extract_text() or "" for page in reader.pages]
        scanned = [n for n, text in enumerate(texts) if len(text.strip()) < ocr.MIN_PAGE_CHARS]
        if scanned and ocr.enabled() and ocr.installed():
            for n in scanned:
                images = [image.image for image in reader.pages[n].images]
                texts[n] = "\n".join(ocr.image_text(image) for image in images) or texts[n]
    except FileNotDecryptedError:
        raise LoadError("PDF is encrypted: remove its password and ingest again") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise LoadError(f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from None
    if scanned and not any(text.strip() for text in texts):
        raise LoadError(
            "no text could be extracted: its pages have no text layer (a scan?)" + ocr.unavailable()
        )
    return rejoined(without_running_lines(texts))


def rejoined(pages: list[str]) -> list[str]:
    """`pages` with each sentence that a page break cuts made whole on the page where it starts,
    before that page's footnotes: "... prohibit seabed mining within their" / footnotes 10-11 /
    (next page) "waters (e.g., American Samoa, ...)" was two fragments, neither of which answers.
    A sentence that starts on a page is cited with that page."""
    pages = list(pages)
    for i in range(len(pages) - 1):
        following = pages[i + 1]
        if not _RUNS_ON.match(following):
            continue
        cut = _footnotes_at(pages[i])
        body = pages[i][:cut].rstrip()
        if not body or body.endswith(_CLOSES):
            continue
        stop = _SENTENCE_STOP.search(following)
        end = stop.end() if stop else len(following)
        notes = pages[i][cut:].strip()
        pages[i] = f"{body} {following[:end].strip()}" + (f"\n\n{notes}" if notes else "")
        pages[i + 1] = following[end:]
    return pages


def _footnotes_at(page: str) -> int:
    """Where `page`'s footnotes start (its length when it has none): the first line that opens
    with a number the text above glues to a word as a footnote mark ("deposits.8", "offshore,11",
    "Part XI.”43")."""
    first_mark: dict[str, int] = {}
    for mark in _GLUED_MARK.finditer(page):
        first_mark.setdefault(mark.group(1), mark.start(1))
    for match in _FOOTNOTE_LINE.finditer(page):
        if first_mark.get(match.group(1), len(page)) < match.start():
            return match.start()
    return len(page)


def _image_pages(path: Path, max_bytes: int) -> list[str]:
    """The text OCR reads in an image file, one page per frame (multi-page TIFF scans)."""
    ocr.require()
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return [ocr.image_text(frame.copy()) for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError:
        raise LoadError(f"not a valid {path.suffix.lower()} image; re-save it") from None


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
    whose XML declares entities (an entity bomb: a few KB that expand to gigabytes;
    Office formats never declare them). The XML is parsed here with defusedxml, which refuses
    both, because the readers after us use the standard library's parser."""
    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    name = path.suffix.lower()
    with path.open("rb") as handle:
        if handle.read(8) == _OLE_MAGIC:  # what Office writes for a password-protected file
            raise LoadError(
                f"this {name} is password-protected (encrypted): remove its password in its app "
                "and ingest again"
            )
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
            names = {info.filename for info in members}
            manifest = "META-INF/manifest.xml"  # OpenDocument's list of parts
            if "META-INF/encryption.xml" in names or (
                manifest in names and b"encryption-data" in archive.read(manifest)
            ):
                raise LoadError(
                    f"this {name} is password-protected or DRM-encrypted: save an unprotected "
                    "copy and ingest that"
                )
            for info in members:
                part = info.filename.lower()
                if part.endswith((".xml", ".rels", ".opf", ".ncx")):
                    try:
                        defusedxml.ElementTree.fromstring(archive.read(info))
                    except DefusedXmlException:
                        raise LoadError(_entities(name, info.filename)) from None
                    except defusedxml.ElementTree.ParseError as exc:
                        raise LoadError(
                            f"not a valid {name}: its part {info.filename} is not XML ({exc})"
                        ) from None
                elif part.endswith((".xhtml", ".html", ".htm", ".svg")):
                    # E-book pages need not be well-formed XML, so they are not parsed here,
                    # only searched for an entity declaration (in either byte order of UTF-16 too).
                    data = archive.read(info)
                    if any(marker in data for marker in _ENTITY_MARKERS):
                        raise LoadError(_entities(name, info.filename))
    except zipfile.BadZipFile:
        raise LoadError(
            f"not a valid {name} (it is not a zip archive); re-save it from its app"
        ) from None


def _entities(name: str, part: str) -> str:
    return (
        f"{name} part {part} declares XML entities, which real documents never do (an entity "
        "bomb?); re-save it from its app"
    )


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


# -- Formats beyond text, PDF, HTML and docx --------------------------------------------------
# Each reader returns page texts, as Format.read does; a record format (sheets, CSV) writes each
# row as one line that keeps its column names, so a row reads as a sentence and can be cited.


def _pptx_slides(path: Path, max_bytes: int) -> list[str]:
    """Each slide's text (titles, text boxes, tables, grouped shapes) and its speaker notes:
    one page per slide, so a citation names the slide."""
    check_archive(path, max_bytes)
    from pptx import Presentation

    slides = []
    for slide in Presentation(str(path)).slides:
        lines = [line for shape in slide.shapes for line in _shape_lines(shape)]
        if slide.has_notes_slide and (notes := slide.notes_slide.notes_text_frame):
            lines.append(notes.text)
        slides.append("\n".join(line for line in lines if line.strip()))
    return slides


def _shape_lines(shape) -> Iterator[str]:  # shape: a python-pptx shape
    if getattr(shape, "shapes", None) is not None:  # a group
        for inner in shape.shapes:
            yield from _shape_lines(inner)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        yield from shape.text_frame.text.split("\n")
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            yield " | ".join(cell.text for cell in row.cells)


def _xlsx_sheets(path: Path, max_bytes: int) -> list[str]:
    """One page per sheet; each row a line "<sheet> row <n>: <header>: <value>; ...", the first
    non-empty row taken as the headers."""
    check_archive(path, max_bytes)
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [
            "\n".join(_records(sheet.title, sheet.iter_rows(values_only=True)))
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _csv_rows(path: Path, max_bytes: int) -> list[str]:
    text = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return ["\n".join(_records(path.stem, csv.reader(io.StringIO(text), dialect)))]


def _records(table: str, rows: Iterable[Sequence[object]]) -> Iterator[str]:
    headers: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        cells = ["" if cell is None else str(cell).strip() for cell in row]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            yield f"{table}: columns {'; '.join(c for c in cells if c)}."
            continue
        named = [
            f"{headers[i] if i < len(headers) and headers[i] else f'column {i + 1}'}: {cell}"
            for i, cell in enumerate(cells)
            if cell
        ]
        yield f"{table} row {number}: {'; '.join(named)}."


def _epub_chapters(path: Path, max_bytes: int) -> list[str]:
    """Each document of the book's reading order (spine) as a page: a chapter, in most books."""
    check_archive(path, max_bytes)
    import ebooklib
    from ebooklib import epub

    book = epub.read_epub(str(path), options={"ignore_ncx": True})
    chapters = []
    for item_id, _linear in book.spine:
        item = book.get_item_with_id(item_id)
        if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT:
            chapters.append(_html_text(decode_text(item.get_content())))
    return chapters


def _odt_text(path: Path, max_bytes: int) -> list[str]:
    """Headings and paragraphs (in lists, tables and sections too) in document order."""
    check_archive(path, max_bytes)
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load as load_odf

    blocks = []

    def walk(node) -> None:  # node: an odfpy element
        for child in node.childNodes:
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                blocks.append(teletype.extractText(child))
            elif child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(load_odf(str(path)).text)
    return ["\n".join(blocks)]


def _rtf_text(path: Path, max_bytes: int) -> list[str]:
    from striprtf.striprtf import rtf_to_text

    raw = path.read_bytes()
    if not raw.lstrip().startswith(b"{\\rtf"):
        raise LoadError("not an RTF file (it does not start with {\\rtf); re-save it as RTF")
    return [rtf_to_text(raw.decode("latin-1"), errors="ignore")]


def _eml_message(path: Path, max_bytes: int) -> list[str]:
    """The headers people ask about (from, to, date, subject), then the body: its plain-text
    part, else its HTML part as text. Attachments are listed by name, not read."""
    from email import policy
    from email.parser import BytesParser

    raw = path.read_bytes()
    decode_text(raw)  # refuses binary data: any bytes parse as some message
    message = BytesParser(policy=policy.default).parsebytes(raw)
    lines = [
        f"{name}: {message[name]}"
        for name in ("From", "To", "Cc", "Date", "Subject")
        if message[name]
    ]
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        lines.append(_html_text(content) if body.get_content_type() == "text/html" else content)
    attached = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    if attached:
        lines.append(f"Attachments: {', '.join(attached)}.")
    return ["\n".join(lines)]


def _ipynb_cells(path: Path, max_bytes: int) -> list[str]:
    """Markdown and code cells, one page per cell (a citation names the cell); outputs left
    out (they are results, often large, not what the notebook says)."""
    try:
        notebook = json.loads(decode_text(path.read_bytes()))
        cells = notebook["cells"]
        return [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
            if cell.get("cell_type") in ("markdown", "code")
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"not a valid Jupyter notebook ({type(exc).__name__}: {exc})") from None


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


_TEXT = Format(read_plain_text)
_HTML = Format(_html_page)
_IMAGE = Format(_image_pages, paged=True, ocr=True)
# The registry: one entry per suffix. Adding a format is one line here plus its test.
FORMATS: dict[str, Format] = {
    ".txt": _TEXT,
    ".md": _TEXT,
    ".markdown": _TEXT,
    # 2: pages without a text layer read by OCR. 3: sentences cut by a page break made whole.
    ".pdf": Format(_pdf_pages, version=3, paged=True, ocr=True),
    ".html": _HTML,
    ".htm": _HTML,
    ".docx": Format(_docx_page),
    ".pptx": Format(_pptx_slides, paged=True),
    ".xlsx": Format(_xlsx_sheets, paged=True),
    ".csv": Format(_csv_rows),
    ".epub": Format(_epub_chapters, paged=True),
    ".odt": Format(_odt_text),
    ".rtf": Format(_rtf_text),
    ".eml": Format(_eml_message),
    ".ipynb": Format(_ipynb_cells, paged=True),
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
