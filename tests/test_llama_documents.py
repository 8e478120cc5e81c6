"""LlamaIndex Documents into `rag.ingest`: text and metadata kept, a `file_path` keys them like
the file itself (a PDF reader's pages become one document with its pages), others are keyed by
`doc_id`; re-ingesting is a no-op when nothing changed, and a resync keeps them."""

from __future__ import annotations

from pathlib import Path

from llama_index.core import Document, SimpleDirectoryReader

import rag
from rag.llama_index import RagRetriever

HARBOUR = (
    "The harbour master keeps the tide tables for the port. "
    "Ferries to the northern islands leave at seven in the morning from pier four."
)
ORCHARD = (
    "The orchard on the hill grows twelve varieties of apple, and cider is pressed in October."
)


def test_documents_without_a_file_are_keyed_by_their_id(tmp_path: Path):
    engine = rag.RAG(index=tmp_path / "index")
    documents = [
        Document(text=HARBOUR, doc_id="harbour-notes", metadata={"title": "Harbour notes"}),
        Document(text=ORCHARD, doc_id="orchard-notes", metadata={"title": "Orchard notes"}),
    ]
    report = engine.ingest(documents)
    assert report.ok and len(report.added) == 2 and report.chunks_added == 2
    answer = engine.query("When do the ferries to the northern islands leave?")
    assert answer.found and "seven in the morning" in answer.text
    assert answer.citations[0].source == "llama-index:harbour-notes"
    listed = {d.source: d.metadata for d in engine.documents()}
    assert listed["llama-index:harbour-notes"]["title"] == "Harbour notes"
    # The LlamaIndex retriever gives the Document's metadata back with the span keys.
    node = RagRetriever(engine, k=1).retrieve("Which month is cider pressed in?")[0].node
    assert node.metadata["title"] == "Orchard notes"
    assert node.get_content() == ORCHARD

    again = engine.ingest(documents)
    assert again.unchanged == ["llama-index:harbour-notes", "llama-index:orchard-notes"]
    assert again.chunks_added == 0
    changed = [Document(text=ORCHARD.replace("twelve", "thirty"), doc_id="orchard-notes")]
    assert engine.ingest(changed).updated == ["llama-index:orchard-notes"]
    assert "thirty" in engine.query("How many apple varieties grow in the orchard?").text
    assert engine.resync().removed == []  # no file behind them: kept
    assert engine.store.count() == 2


def test_a_readers_documents_sync_like_their_file(tmp_path: Path):
    """SimpleDirectoryReader's documents carry `file_path`: they are indexed under that file,
    and syncing the folder afterwards updates that same entry instead of adding a copy."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    documents = SimpleDirectoryReader(str(folder)).load_data()
    report = engine.ingest(documents)
    assert report.added == [str((folder / "harbour.txt").resolve())]
    answer = engine.query("Who keeps the tide tables?")
    assert answer.found and "harbour master" in answer.text
    text = rag.read_document(folder / "harbour.txt").text
    span = answer.citations[0].quote_spans[0]
    assert text[span[0] : span[1]] in answer.text  # spans index the file's own text

    synced = engine.ingest([folder])
    assert synced.added == [] and len(synced.updated) == 1  # the same entry, read as a file
    assert engine.store.count() == 1


def test_a_pdf_readers_pages_become_one_document_cited_by_page(tmp_path: Path, shared: Path):
    pdf = shared / "docs" / "IF12672v12-russias-nuclear-weapons.pdf"
    pages = SimpleDirectoryReader(input_files=[str(pdf)]).load_data()
    assert len(pages) == 3 and [p.metadata["page_label"] for p in pages] == ["1", "2", "3"]
    engine = rag.RAG(index=tmp_path / "index")
    report = engine.ingest(pages)
    assert report.added == [str(pdf.resolve())]  # one document, not one per page
    for page in pages:
        words = " ".join(page.text.split()[40:52])  # a stretch of that page's own text
        hits = engine.search(words, k=1)
        assert hits[0].page == int(page.metadata["page_label"]), words
