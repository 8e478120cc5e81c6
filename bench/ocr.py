"""OCR of scanned pages: real report pages rendered to an image-only PDF, read back through rag.

    python bench/ocr.py

Renders the text of the first pages of a real report (../shared/docs, its PDF's text layer) as
page images with Pillow, saves them as a PDF with no text layer, and reads it with rag's PDF
loader (OCR on). Prints the share of each page's words read right (in order) and the OCR
seconds per page; writes bench/results/ocr.json. tests/test_ocr.py shares `scanned_pdf`.
"""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED, print_table, save  # noqa: E402

REPORT = SHARED / "docs" / "IF12672v12-russias-nuclear-weapons.pdf"
_WORD = re.compile(r"[\w’'-]+")


def page_texts(pages: int = 2, lines: int = 40) -> list[str]:
    """The first `lines` lines of text of the report's first `pages` pages, re-wrapped."""
    from pypdf import PdfReader

    reader = PdfReader(REPORT)
    texts = []
    for page in reader.pages[:pages]:
        raw = " ".join(line.strip() for line in (page.extract_text() or "").split("\n"))
        texts.append("\n".join(textwrap.wrap(" ".join(raw.split()), 64)[:lines]))
    return texts


def scanned_pdf(path: Path, texts: list[str], dpi: int = 200) -> Path:
    """An image-only PDF: each text drawn on a letter-size page image (black on white)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=int(dpi * 0.14))
    images = []
    for text in texts:
        image = Image.new("L", (int(8.5 * dpi), int(11 * dpi)), 255)
        ImageDraw.Draw(image).multiline_text(
            (dpi, dpi), text, font=font, fill=0, spacing=int(dpi * 0.07)
        )
        images.append(image)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def words_right(expected: str, read: str) -> float:
    """The share of `expected`'s words that `read` has, in order (case and punctuation aside)."""
    want = [w.lower() for w in _WORD.findall(expected)]
    got = [w.lower() for w in _WORD.findall(read)]
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(want), 1)


def main() -> None:
    from rag.ingestion import ocr
    from rag.ingestion.documents import load

    texts = page_texts()
    with tempfile.TemporaryDirectory() as scratch:
        path = scanned_pdf(Path(scratch) / "scan.pdf", texts)
        started = time.perf_counter()
        with ocr.reading(True):
            document = load(path, str(path), 10**8)
        seconds = time.perf_counter() - started
    rows = []
    for page, text in zip(document.pages, texts, strict=True):
        read = document.text[page.start : page.end]
        rows.append(
            {"page": page.number, "words": len(text.split()), "right": words_right(text, read)}
        )
    print_table(rows, ["page", "words", "right"])
    per_page = seconds / len(texts)
    print(f"\nOCR and loading: {per_page:.2f} s a page (200 dpi, letter size, Tesseract)")
    print(f"wrote {save('ocr', {'pages': rows, 'seconds_per_page': per_page})}")


if __name__ == "__main__":
    main()
