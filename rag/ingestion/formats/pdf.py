"""PDF pages: pypdf's text layer, OCR for pages without one, running headers and footers dropped,
and sentences a page break cuts made whole."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from ...errors import LoadError
from .. import ocr

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


def read(path: Path, max_bytes: int) -> list[str]:
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
