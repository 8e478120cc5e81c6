"""Every format in the registry, written here with the format's own library: ingested together,
each answers its own question with the right passage and page (slide, sheet, chapter, cell), and
a bad or encrypted file of each gets a per-file error naming what to do."""

from __future__ import annotations

import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

import rag
from rag.errors import LoadError
from rag.ingestion.documents import load
from rag.ingestion.formats import FORMATS


def _pptx(path: Path) -> None:
    from pptx import Presentation

    deck = Presentation()
    for title, body, notes in (
        ("Roadmap", "We ship the mobile app in spring.", ""),
        ("Budget", "Travel spending is frozen until June.", "Say the freeze ends in June."),
    ):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(path)


def _xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Americas"
    first.append(["Quarter", "Revenue"])
    first.append(["Q3", "2.1M"])
    emea = book.create_sheet("EMEA")
    emea.append(["Quarter", "Revenue"])
    emea.append(["Q2", "1.1M"])
    emea.append(["Q3", "1.4M"])
    book.save(path)


def _epub(path: Path) -> None:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("lighthouse-1")
    book.set_title("Lighthouses")
    book.set_language("en")
    chapters = []
    for n, text in enumerate(
        ("Keepers lit the lamp at dusk.", "The Fresnel lens bent light into a narrow beam."),
        start=1,
    ):
        chapter = epub.EpubHtml(title=f"Chapter {n}", file_name=f"ch{n}.xhtml", lang="en")
        chapter.content = f"<html><body><h1>Chapter {n}</h1><p>{text}</p></body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = chapters
    epub.write_epub(str(path), book)


def _odt(path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Garden notes"))
    document.text.addElement(P(text="Tomatoes need six hours of direct sun a day."))
    document.save(str(path))


def _rtf(path: Path) -> None:
    path.write_text(
        r"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard "
        r"The ferry to the island leaves at seven every morning.\par}"
    )


def _eml(path: Path) -> None:
    message = EmailMessage()
    message["From"] = "Ana Ruiz <ana@example.org>"
    message["To"] = "team@example.org"
    message["Subject"] = "Offsite venue"
    message["Date"] = "Mon, 02 Mar 2026 09:00:00 +0000"
    message.set_content("We booked the lakeside hall for the offsite on 14 May.\n")
    path.write_bytes(bytes(message))


def _ipynb(path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Cleaning\n"]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "outputs": [],
            "source": ["df = df.dropna()  # rows with missing prices are dropped\n"],
        },
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["Rows with missing prices are dropped before the model is fitted.\n"],
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))


def _csv(path: Path) -> None:
    path.write_text("city,population\nOslo,709000\nBergen,291000\n")


def _text(text: str):
    return lambda path: path.write_text(text)


# suffix: (writer, question, words of the passage that answers, page of the answer)
MATRIX = {
    ".pptx": (_pptx, "Until when is travel spending frozen?", "frozen until June", 2),
    ".xlsx": (_xlsx, "What was Q3 revenue in the EMEA sheet?", "1.4M", 2),
    ".csv": (_csv, "What is the population of Bergen?", "291000", None),
    ".epub": (_epub, "What did the Fresnel lens do?", "narrow beam", 2),
    ".odt": (_odt, "How much sun do tomatoes need?", "six hours", None),
    ".rtf": (_rtf, "When does the ferry to the island leave?", "seven every morning", None),
    ".eml": (_eml, "Which venue was booked for the offsite?", "lakeside hall", None),
    ".ipynb": (_ipynb, "Why are rows dropped before fitting?", "missing prices", 3),
    ".rst": (
        _text("Kilns\n=====\n\nA kiln fires clay at over a thousand degrees.\n"),
        "How hot does a kiln fire clay?",
        "thousand degrees",
        None,
    ),
    ".adoc": (
        _text("= Bees\n\n== Hives\n\nA hive holds one queen and thousands of workers.\n"),
        "How many queens does a hive hold?",
        "one queen",
        None,
    ),
    ".org": (
        _text("#+TITLE: Tides\n* Cause\nTides are caused mostly by the Moon's gravity.\n"),
        "What causes the tides?",
        "Moon's gravity",
        None,
    ),
}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[rag.RAG, Path]:
    folder = tmp_path_factory.mktemp("formats")
    for suffix, (write, *_rest) in MATRIX.items():
        write(folder / f"sample{suffix}")
    engine = rag.RAG(index=folder.parent / f"{folder.name}-index")
    report = engine.ingest([folder])
    assert report.ok and len(report.added) == len(MATRIX), report
    return engine, folder


def test_every_registered_format_is_in_the_matrix():
    # The formats read before this matrix have their own tests (test_loaders.py), and so do
    # images (test_ocr.py); .asciidoc is .adoc under its long name.
    earlier = {".txt", ".md", ".markdown", ".pdf", ".html", ".htm", ".docx", ".asciidoc"}
    earlier |= {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
    assert set(MATRIX) | earlier == set(FORMATS)


@pytest.mark.parametrize("suffix", list(MATRIX))
def test_each_format_answers_with_the_right_passage_and_page(
    matrix: tuple[rag.RAG, Path], suffix: str
):
    engine, folder = matrix
    _write, question, words, page = MATRIX[suffix]
    answer = engine.query(question, sources=[folder / f"sample{suffix}"])
    assert answer.found, (suffix, answer.text)
    first = answer.citations[0]
    assert words in first.text and words in answer.text, (suffix, first.text)
    assert first.page == page


def test_sheet_rows_keep_their_column_names(matrix: tuple[rag.RAG, Path]):
    _engine, folder = matrix
    text = load(folder / "sample.xlsx", "x", 10**7).text
    assert "EMEA row 3: Quarter: Q3; Revenue: 1.4M." in text
    assert (
        "sample row 3: city: Bergen; population: 291000."
        in load(folder / "sample.csv", "x", 10**7).text
    )


def test_status_counts_documents_per_format(matrix: tuple[rag.RAG, Path]):
    engine, _folder = matrix
    assert engine.status().formats == {suffix: 1 for suffix in sorted(MATRIX)}


_ZIPPED = [".pptx", ".xlsx", ".epub", ".odt"]


@pytest.mark.parametrize("suffix", _ZIPPED)
def test_bad_and_encrypted_zip_documents_get_a_reason(tmp_path: Path, suffix: str):
    fake = tmp_path / f"fake{suffix}"
    fake.write_bytes(b"plain text pretending to be a document")
    with pytest.raises(LoadError, match=f"not a valid \\{suffix}.*re-save it"):
        load(fake, str(fake), 10**7)
    # Office and LibreOffice write a password-protected file as an OLE container, not a zip.
    locked = tmp_path / f"locked{suffix}"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LoadError, match="password-protected"):
        load(locked, str(locked), 10**7)
    hollow = tmp_path / f"hollow{suffix}"
    with zipfile.ZipFile(hollow, "w") as archive:
        archive.writestr("mimetype", "nothing useful")
    with pytest.raises(LoadError):
        load(hollow, str(hollow), 10**7)


@pytest.mark.parametrize(
    ("suffix", "part", "content"),
    [
        (".odt", "META-INF/manifest.xml", b"<m><file-entry><encryption-data/></file-entry></m>"),
        (".epub", "META-INF/encryption.xml", b"<encryption/>"),
    ],
)
def test_encrypted_open_formats_say_so(tmp_path: Path, suffix: str, part: str, content: bytes):
    path = tmp_path / f"locked{suffix}"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/octet-stream")
        archive.writestr(part, content)
        archive.writestr("content.xml", b"\x93\x11 encrypted bytes")
    with pytest.raises(LoadError, match="password-protected or DRM-encrypted"):
        load(path, str(path), 10**7)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bad.rtf", b"just words, no RTF header", "not an RTF file"),
        ("bad.ipynb", b'{"not": "a notebook"}', "not a valid Jupyter notebook"),
        ("bad.csv", b"\x00\x01\x02" * 100, "binary data"),
        ("bad.eml", b"\x00\x01" * 100, "binary data|no text"),
    ],
)
def test_bad_files_of_the_other_formats_get_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=reason):
        load(path, str(path), 10**7)


def test_a_bad_file_of_each_format_fails_alone_in_a_sync(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for suffix in MATRIX:
        (folder / f"broken{suffix}").write_bytes(b"\x00\xff broken \x00" * 10)
    (folder / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    report = rag.RAG(index=tmp_path / "index").ingest([folder])
    assert [Path(s).name for s in report.added] == ["notes.md"]
    assert sorted(Path(f.source).name for f in report.failed) == sorted(
        f"broken{suffix}" for suffix in MATRIX
    )
    assert all(f.reason for f in report.failed)
