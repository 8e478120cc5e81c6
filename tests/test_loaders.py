"""Each format on real files, and each kind of bad file gets a specific, actionable error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import rag
from rag.errors import LoadError
from rag.ingestion.documents import load
from rag.ingestion.formats.pdf import rejoined, without_running_lines

from .conftest import DOCS

LIMIT = 100_000_000


def _load(path: Path) -> rag.Document:
    return load(path, str(path), LIMIT)


def test_markdown_pdf_and_docx_of_one_report_agree():
    md = _load(DOCS / "R47324v18-seabed-mining-abnj.md")
    pdf = _load(DOCS / "R47324v18-seabed-mining-abnj.pdf")
    docx = _load(DOCS / "R47324v18-seabed-mining-abnj.pandoc.docx")
    for document in (md, pdf, docx):
        assert "Clarion-Clipperton Zone" in document.text
        assert "International Seabed Authority" in document.text
    # The PDF keeps its pages: many distinct, increasing page numbers covering the text in order.
    numbers = [p.number for p in pdf.pages]
    assert len(numbers) > 20 and numbers == sorted(numbers) and numbers[0] == 1
    assert md.pages[0].number is None and docx.pages[0].number is None


def test_pdf_page_numbers_locate_text():
    pdf = _load(DOCS / "IF12672v12-russias-nuclear-weapons.pdf")
    second = pdf.pages[1]
    assert second.number == 2
    assert pdf.page_at(second.start) == 2 and pdf.page_at(pdf.pages[0].start) == 1


def test_docx_with_lists_and_tables():
    text = _load(DOCS / "word_sample.docx").text
    assert "Swimming in the lake" in text and "Let’s swim!" in text
    tables = _load(DOCS / "docx_rich_tables_01.docx").text
    assert len(tables) > 200


def test_html_keeps_article_text_and_drops_scripts_and_navigation():
    text = _load(DOCS / "wiki_duck.html").text
    assert "Duck is the common name for numerous species of waterfowl" in text
    assert "<script" not in text and "function(" not in text
    assert "Jump to content" not in text


def test_html_inline_tags_do_not_break_sentences(tmp_path: Path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><p>The <a href='#'>mallard</a> is a <b>dabbling</b> duck.</p>"
        "<script>alert(1)</script></body></html>"
    )
    assert _load(page).text == "The mallard is a dabbling duck."


def test_an_html_data_tables_rows_read_one_to_a_line(tmp_path: Path):
    """Read cell by cell, a flight's departure time stood on a line of its own, apart from its
    flight: a row under a header row names each cell by its column, a row headed by its own
    first cell (a job advert's terms) is named by it, any other row of a table without a header
    row is a markdown row, and a table laying out paragraphs is read as paragraphs."""
    page = tmp_path / "booking.html"
    page.write_text(
        "<html><body><p>Your flights:</p><table>"
        "<tr><th>Flight</th><th>Departs</th><th>To</th></tr>"
        "<tr><td>TP 1363</td><td>07:05</td><td>Lisbon</td></tr></table>"
        "<table><tr><th>Hours</th><td>30 hours a week</td></tr>"
        "<tr><th>Contract</th><td>Two years</td><td>funded by a grant</td></tr></table>"
        "<table><tr><td>Cabin bag</td><td>8 kg</td></tr></table>"
        "<table><tr><td><p>A column of prose.</p></td><td><p>Another one.</p></td></tr></table>"
        "</body></html>"
    )
    lines = _load(page).text.splitlines()
    assert "Flight: TP 1363; Departs: 07:05; To: Lisbon." in lines
    assert "Hours: 30 hours a week." in lines
    assert "Contract: Two years; funded by a grant." in lines
    assert "| Cabin bag | 8 kg |" in lines
    assert "A column of prose." in lines and "Another one." in lines


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("café au lait, naïve".encode("latin-1"), "café au lait, naïve"),
        ("smart “quotes” – dash".encode("cp1252"), "smart “quotes” – dash"),
        ("Grüße aus Köln".encode("utf-16"), "Grüße aus Köln"),
        ("\ufeffwith a BOM".encode(), "with a BOM"),
    ],
)
def test_legacy_encodings_are_read_not_mangled(tmp_path: Path, data: bytes, expected: str):
    path = tmp_path / "legacy.txt"
    path.write_bytes(data)
    assert _load(path).text == expected


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"   \n\n  \n", "no text could be extracted"),
        ("junk.txt", bytes(range(256)) * 40, "binary data, not text"),
        ("fake.pdf", b"%PDF-1.7\nthis is not really a pdf", "corrupt or truncated PDF"),
        ("fake.docx", b"plain text pretending to be Word", "not a valid .docx"),
        ("slides.key", b"whatever", "unsupported file type '.key'"),
        ("noext", b"text without an extension", "unsupported file type '(no extension)'"),
    ],
)
def test_bad_files_get_specific_errors(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        _load(path)


def test_truncated_pdf_is_reported(tmp_path: Path):
    data = (DOCS / "IF12672v12-russias-nuclear-weapons.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(LoadError, match="corrupt or truncated PDF|no text could be extracted"):
        _load(path)


def test_docx_missing_its_document_part(tmp_path: Path):
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(LoadError, match="not a valid .docx"):
        _load(path)


def test_vanished_file(tmp_path: Path):
    with pytest.raises(LoadError, match="disappeared"):
        _load(tmp_path / "gone.txt")


def test_oversized_file_names_the_setting(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(LoadError, match="RAG_MAX_FILE_MB"):
        load(path, str(path), max_bytes=100)


def test_running_headers_and_footers_are_dropped_after_the_first_page():
    """Page tops repeating the report's title made every page's first chunk outrank the body."""
    pdf = _load(DOCS / "R47324v18-seabed-mining-abnj.pdf")
    title = "Seabed Mining in Areas Beyond National Jurisdiction: Issues for Congress"
    later = [pdf.text[page.start : page.end] for page in pdf.pages[1:]]
    assert len(later) > 30
    assert not any(text.startswith(title) for text in later)
    assert not any(text.rstrip().endswith("Congressional Research Service") for text in later)
    assert "Clarion-Clipperton Zone" in pdf.text  # body text stays


def test_only_lines_recurring_at_page_edges_count_as_running():
    pages = [
        "Annual Report 2024\nIntroduction to the findings.\nBody one.\nPage 1",
        "Annual Report 2024\nB1.\nB2.\nB3.\nAnnual Report 2024\nB5.\nB6.\nB7.\nPage 2",
        "Annual Report 2024\nBody three.\nThe end of it.\nStill body.\nEven more.\nPage 3",
        "A page with no header at all.\nIts body.\nIts last line.",
    ]
    kept = without_running_lines(pages)
    assert kept[0] == pages[0]  # the first page keeps its title
    # Only near the edges: the same line in the middle of a page is body text.
    assert kept[1] == "B1.\nB2.\nB3.\nAnnual Report 2024\nB5.\nB6.\nB7."
    assert kept[2] == "Body three.\nThe end of it.\nStill body.\nEven more."
    assert kept[3] == pages[3]
    # Two pages sharing a first line in a ten-page file is not a running header.
    assert without_running_lines(pages[1:3] + [f"Line {i}\nx" for i in range(8)])[1] == pages[2]


def test_a_sentence_cut_by_a_page_break_is_made_whole_before_the_footnotes():
    pages = [
        "The harbour opened in 1931.3 Ships of every size used\nits three\n\n"
        "3 Harbour Board, Annual Report, 1932, p. 4.\n4 Ibid., p. 9.",
        "basins until the war.4 Traffic then fell.\nFigure 2. The basins",
        "Figure 3. Tonnage by year\nThe board closed it in 1970.",
        "https://example.org/report | page 4\nAn appendix follows.",
    ]
    kept = rejoined(pages)
    assert kept[0] == (
        "The harbour opened in 1931.3 Ships of every size used\nits three basins until the war.4"
        "\n\n3 Harbour Board, Annual Report, 1932, p. 4.\n4 Ibid., p. 9."
    )
    assert kept[1] == " Traffic then fell.\nFigure 2. The basins"
    # A page that starts with a capital, or with a link, starts afresh.
    assert kept[2:] == pages[2:]


def test_the_shared_reports_sentences_run_on_across_its_pages():
    text = _load(DOCS / "R47324v18-seabed-mining-abnj.pdf").text
    assert (
        "prohibit seabed mining within their waters (e.g., American Samoa, California, Hawaii, "
        "Oregon, and Washington)." in " ".join(text.split())
    )
