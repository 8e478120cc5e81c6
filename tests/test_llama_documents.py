"""LlamaIndex Documents into `rag.ingest`, metadata kept: one naming a file rag reads is that
file, read by rag so citations are exact spans of it; a reader's pages of a file rag cannot read
become one text with its pages; others are keyed by `doc_id`, skipped when unchanged and kept by
a resync."""

from __future__ import annotations

from pathlib import Path

from llama_index.core import Document, SimpleDirectoryReader

import rag
from rag.serve.llama_index import RagRetriever

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


def test_a_readers_documents_sync_like_their_file(tmp_path: Path, shared: Path):
    """SimpleDirectoryReader's documents carry `file_path`: rag reads that file itself (exact
    spans, its own pages), keeps the reader's metadata, and a later sync of the folder finds
    the same entry unchanged instead of adding a copy."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    pdf = folder / "arsenal.pdf"
    pdf.write_bytes((shared / "docs" / "IF12672v12-russias-nuclear-weapons.pdf").read_bytes())
    documents = SimpleDirectoryReader(str(folder)).load_data()
    assert len(documents) == 4  # the text file, and the PDF's three pages
    engine = rag.RAG(index=tmp_path / "index")
    report = engine.ingest(documents)
    assert sorted(report.added) == sorted({d.metadata["file_path"] for d in documents})
    listed = {Path(d.source).name: d.metadata for d in engine.documents()}
    assert listed["harbour.txt"]["file_name"] == "harbour.txt"
    assert "page_label" not in listed["arsenal.pdf"]

    answer = engine.query("Who keeps the tide tables?")
    assert answer.found and "harbour master" in answer.text
    citation = answer.citations[0]
    text = rag.read_document(citation.source).text
    assert all(text[a:b] in answer.text for a, b in citation.quote_spans)  # the file's spans
    for page in (d for d in documents if d.metadata["file_name"] == "arsenal.pdf"):
        words = " ".join(page.text.split()[40:52])  # a stretch of that page's own text
        hit = engine.search(words, k=1)[0]
        assert Path(hit.source).name == "arsenal.pdf"
        assert hit.page == int(page.metadata["page_label"]), words

    synced = engine.ingest([folder])
    assert synced.added == [] and synced.updated == [] and len(synced.unchanged) == 2
    assert len(engine.documents()) == 2
    assert {Path(d.source).name: d.metadata for d in engine.documents()} == listed


def test_pages_of_a_file_rag_cannot_read_become_one_document(tmp_path: Path):
    """A reader's documents for a format rag has no loader for (here a `.notes` file) are
    indexed as the reader's text under that file's path, pages in order and cited by label."""
    (tmp_path / "docs").mkdir()
    notes = tmp_path / "docs" / "diary.notes"
    notes.write_text("unused: the reader's text is what is indexed", encoding="utf-8")
    pages = [
        Document(text=HARBOUR, metadata={"file_path": str(notes), "page_label": "1"}),
        Document(text=ORCHARD, metadata={"file_path": str(notes), "page_label": "2"}),
    ]
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest(pages).added == [str(notes)]
    hit = engine.search("Which month is cider pressed in?", k=1)[0]
    assert hit.source == str(notes) and hit.page == 2 and hit.text == ORCHARD
    assert engine.ingest(pages).unchanged == [str(notes)]
    # A sync of the folder skips the file rag cannot read, but the file is not gone.
    synced = engine.ingest([tmp_path / "docs"])
    assert synced.removed == [] and engine.store.count() == 2
    resynced = engine.resync()  # nor is there a file to read again: the reader's text stays
    assert resynced.ok and resynced.removed == [] and engine.store.count() == 2
    notes.unlink()
    assert engine.resync().removed == [str(notes)] and engine.store.count() == 0
