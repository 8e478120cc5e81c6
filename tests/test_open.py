"""Take me to the page: a citation links to its document, a PDF at the cited page, any other
format as its extracted text scrolled to the passage; only indexed files are served, by id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import rag
from rag.serve.web_api import create_app
from ui.render import open_link, render_sources

from .conftest import DOCS


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> tuple[rag.RAG, Path, TestClient]:
    folder = tmp_path_factory.mktemp("open")
    shutil.copy(DOCS / "IF12672v12-russias-nuclear-weapons.pdf", folder / "report.pdf")
    (folder / "notes.md").write_text(
        "Field notes.\n\nPuffins nest in burrows on sea cliffs. <script>alert(1)</script>\n"
    )
    engine = rag.RAG(index=folder.parent / f"{folder.name}-index")
    assert engine.ingest([folder]).ok
    return engine, folder, TestClient(create_app(engine))


def test_a_pdf_citation_opens_the_original_at_its_page(opened):
    engine, folder, client = opened
    answer = engine.query("What concept combines nonmilitary means and nuclear weapons?")
    citation = answer.citations[0]
    assert citation.page == 2
    document_id = engine.file_id(citation.source)
    assert document_id and "/" not in document_id
    assert f'href="/api/files/{document_id}#page=2"' in open_link(citation, document_id)
    assert "open page 2" in render_sources(answer, 0, engine.file_id)
    served = client.get(f"/api/files/{document_id}")
    assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline")
    assert served.content == (folder / "report.pdf").read_bytes()


def test_other_formats_open_as_text_at_the_passage_escaped(opened):
    engine, _folder, client = opened
    citation = engine.query("Where do puffins nest?").citations[0]
    link = open_link(citation, engine.file_id(citation.source))
    href = link.split('href="')[1].split('"')[0]
    assert href.endswith("#passage") and "/text?start=" in href
    page = client.get(href.split("#")[0])
    assert page.status_code == 200
    assert '<mark id="passage">' in page.text and "Puffins nest in burrows" in page.text
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert "sandbox" in page.headers["content-security-policy"]
    original = client.get(f"/api/files/{engine.file_id(citation.source)}")
    assert original.headers["content-disposition"].startswith("attachment")  # never run here


def test_only_indexed_files_are_served_and_only_as_indexed(opened, tmp_path: Path):
    engine, folder, client = opened
    for path in ("/api/files/0123456789abcdef", "/api/files/..%2F..%2Fetc%2Fpasswd"):
        assert client.get(path).status_code == 404
    (folder / "secret.txt").write_text("not indexed")
    assert engine.file_id(str(folder / "secret.txt")) is None
    notes_id = engine.file_id(str(folder / "notes.md"))
    (folder / "notes.md").write_text("Changed after indexing.\n")
    changed = client.get(f"/api/files/{notes_id}/text?start=0&end=5")
    assert changed.status_code == 409 and "changed since it was indexed" in changed.json()["detail"]
