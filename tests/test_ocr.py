"""Scanned pages: real report pages rendered to an image-only PDF are read back by OCR with at
least 95% of their words right, and a question on the second page cites page 2. OCR needs
Debian's tesseract-ocr, which `make test` installs like chromium."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import rag
from rag.errors import LoadError
from rag.ingestion import ocr
from rag.ingestion.documents import load

from .conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench.ocr import page_texts, scanned_pdf, words_right  # noqa: E402


def test_ocr_off_or_missing_says_how_to_read_a_scan(tmp_path: Path):
    path = scanned_pdf(tmp_path / "scan.pdf", ["A page of text that only an image holds."])
    with pytest.raises(LoadError, match="no text layer.*RAG_OCR=1"):
        load(path, str(path), 10**7)  # OCR is off unless a read turns it on
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(LoadError, match="OCR is off"):
        load(image, str(image), 10**7)


@pytest.mark.slow
def test_a_scanned_report_is_read_by_ocr_and_cited_by_page(tmp_path: Path):
    assert ocr.installed(), "OCR tests need tesseract-ocr (make test installs it)"
    texts = page_texts()
    folder = tmp_path / "scans"
    folder.mkdir()
    path = scanned_pdf(folder / "scan.pdf", texts)
    with ocr.reading(True):
        document = load(path, str(path), 10**8)
    for page, text in zip(document.pages, texts, strict=True):
        assert words_right(text, document.text[page.start : page.end]) >= 0.95

    engine = rag.RAG(index=tmp_path / "index")
    shown: list[str] = []
    assert engine.ingest([folder], progress=lambda done, total, what: shown.append(what)).ok
    assert [s for s in shown if "OCR page" in s] == [
        f"{path} · OCR page 1",
        f"{path} · OCR page 2",
    ]  # a long scan shows its progress page by page
    answer = engine.query("What concept combines nonmilitary means and nuclear weapons?")
    assert answer.found and "strategic deterrence" in answer.text
    assert answer.citations[0].page == 2


@pytest.mark.slow
def test_an_image_file_is_read_by_ocr(tmp_path: Path):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 300), 255)
    ImageDraw.Draw(image).text(
        (40, 100), "Lighthouse keepers lit the lamp at dusk.", font=ImageFont.load_default(size=48)
    )
    image.save(tmp_path / "note.png")
    with ocr.reading(True):
        text = load(tmp_path / "note.png", "note.png", 10**7).text
    assert words_right("Lighthouse keepers lit the lamp at dusk.", text) == 1.0
