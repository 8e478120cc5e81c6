"""The search snapshot: a faithful copy of what Chroma holds, saved once per generation, rebuilt
when damaged, and safe to keep using while another process replaces it."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.answer.retrieve import Retriever
from rag.index.snapshot import POINTER, Snapshot
from rag.text.keywords import tokenize

from .conftest import SEEDS


def _folders(index: Path) -> set[str]:
    return {p.name for p in index.glob("snapshot-*")}


def test_snapshot_holds_every_chunk_as_chroma_does(seed_engine: rag.RAG):
    snapshot = seed_engine.retriever.snapshot()
    stored = list(seed_engine.store.stored_chunks())
    assert len(stored) == len(snapshot) > 0
    for chunk in stored:
        i = snapshot.position(chunk.chunk_id)
        assert i is not None and snapshot.key(i) == chunk.key
        passage = snapshot.passage(i, 0.5)
        assert (passage.source, passage.page, passage.start, passage.end, passage.text) == (
            chunk.chunk.source,
            chunk.chunk.page,
            chunk.chunk.start,
            chunk.chunk.end,
            chunk.chunk.text,
        )
        unit = chunk.vector / np.linalg.norm(chunk.vector)
        assert np.allclose(snapshot.vectors([i])[0], unit, atol=1e-6)
        sentences = snapshot.sentences(i)
        assert sentences is not None and sentences.spans == chunk.sentences.spans
        # Stored as float16 in both places, so equal after the same widening.
        assert np.array_equal(sentences.vectors, chunk.sentences.vectors)
    # The similarity a search reports is the chunk's cosine to the question, whether Chroma
    # found the chunk or only the keyword side did (then it comes from the table's vector).
    question = "How does China view these deals?"
    # Ranked by keywords alone from a small pool, so keyword-only candidates reach the top.
    settings = dataclasses.replace(seed_engine.settings, retrieval_candidates=5, dense_weight=0.0)
    retriever = Retriever(seed_engine.store, seed_engine.embedder, settings)
    passages = retriever.search(question, k=5)
    vector = seed_engine.embedder.embed_question(question)
    nearest = {chunk_id for chunk_id, _ in seed_engine.store.nearest(vector, 5)}
    assert {p.chunk_id for p in passages} - nearest, "no keyword-only passage to check"
    for passage in passages:
        chunk = stored[[c.chunk_id for c in stored].index(passage.chunk_id)]
        cosine = chunk.vector @ vector / np.linalg.norm(chunk.vector) / np.linalg.norm(vector)
        assert abs(passage.similarity - float(cosine)) < 1e-4


def test_one_snapshot_per_generation_saved_and_reused(engine: rag.RAG, workdir: Path):
    shutil.copy(SEEDS / "cpec-primer.md", workdir)
    engine.ingest([workdir])
    index = engine.settings.index_dir
    first = _folders(index)
    assert len(first) == 1

    # Another process (a fresh RAG) loads the saved snapshot instead of building its own.
    other = rag.RAG(index=index)
    assert other.search("Gwadar port", k=1)
    assert _folders(index) == first

    # A change makes a new generation: one new snapshot, the old one removed.
    (workdir / "note.txt").write_text("The quillowort flowers only after a cold winter.")
    engine.ingest([workdir])
    second = _folders(index)
    assert len(second) == 1 and second != first
    assert "quillowort" in other.search("quillowort", k=1)[0].text


def test_a_damaged_snapshot_is_rebuilt_from_chroma(engine: rag.RAG, workdir: Path):
    shutil.copy(SEEDS / "cpec-primer.md", workdir)
    engine.ingest([workdir])
    index = engine.settings.index_dir
    (folder,) = index.glob("snapshot-*")
    (folder / "text.bin").write_bytes(b"")  # truncated: its arrays no longer fit
    fresh = rag.RAG(index=index)
    hits = fresh.search("Gwadar port", k=2)
    assert hits and all(hit.text for hit in hits)
    assert not folder.exists() and len(_folders(index)) == 1
    for damaged in ("{not json", "[]", '{"folder": 3}'):
        (index / POINTER).write_text(damaged)
        assert rag.RAG(index=index).search("Gwadar port", k=1)[0].text == hits[0].text


def test_a_snapshot_in_use_survives_another_process_replacing_it(engine: rag.RAG, workdir: Path):
    shutil.copy(SEEDS / "cpec-primer.md", workdir)
    engine.ingest([workdir])
    index = engine.settings.index_dir
    reader = rag.RAG(index=index)
    old = reader.retriever.snapshot()
    texts = [old.text(i) for i in range(len(old))]
    (old_folder,) = index.glob("snapshot-*")

    (workdir / "note.txt").write_text("The quillowort flowers only after a cold winter.")
    engine.ingest([workdir])  # saves a new snapshot and deletes the old folder
    assert not old_folder.exists()
    # Its files stay mapped: a search that started on it finishes with the same texts.
    assert [old.text(i) for i in range(len(old))] == texts
    assert np.isfinite(old.vectors(list(range(len(old))))).all()
    assert isinstance(reader.retriever.snapshot(), Snapshot)
    assert reader.retriever.snapshot().generation != old.generation


def _rows(snapshot: Snapshot) -> dict[str, tuple]:
    """Each chunk of a snapshot by id: its key, place, text and sentences (vectors apart)."""
    rows = {}
    for i, chunk_id in enumerate(snapshot.ids):
        p = snapshot.passage(i, 0.0)
        sentences = snapshot.sentences(i)
        place = (p.source, p.page, p.start, p.end, p.text)
        rows[chunk_id] = (snapshot.key(i), place, sentences.spans, sentences.vectors.tobytes())
    return rows


def _vectors(snapshot: Snapshot) -> np.ndarray:
    return snapshot.vectors(sorted(range(len(snapshot)), key=snapshot.ids.__getitem__))


def test_a_rebuild_reads_only_changed_files_and_equals_a_full_build(
    engine: rag.RAG, workdir: Path, monkeypatch
):
    for seed in SEEDS.glob("*.md"):
        shutil.copy(seed, workdir)
    engine.ingest([workdir])
    store = engine.store
    requested: list[list[str] | None] = []
    real = store.stored_chunks

    def spy(keys=None):
        requested.append(None if keys is None else list(keys))
        return real(keys)

    monkeypatch.setattr(store, "stored_chunks", spy)
    changed = workdir / "cpec-primer.md"
    changed.write_text(changed.read_text() + "\nThe corridor also carries a fibre-optic cable.\n")
    (workdir / "note.txt").write_text("The quillowort flowers only after a cold winter.")
    (workdir / "digital-assets-note.md").unlink()
    engine.ingest([workdir])

    incremental = engine.retriever.snapshot()
    keys = {str(changed.resolve()), str((workdir / "note.txt").resolve())}
    assert [set(keys_read) for keys_read in requested] == [keys]
    full = Snapshot.build(store, incremental.generation, incremental.params)
    assert _rows(incremental) == _rows(full)
    # Copied vectors were unit length already; normalising again may move the last bit.
    assert np.allclose(_vectors(incremental), _vectors(full), atol=1e-7)
    # Copied chunks keep their keyword tokens: BM25 scores every chunk as a full build does.
    for question in ("fibre-optic cable in the corridor", "quillowort", "China minerals deal"):
        tokens = tokenize(question)
        scores = [
            dict(zip(s.ids, s.lexical.scores(tokens).tolist(), strict=True))
            for s in (incremental, full)
        ]
        assert scores[0].keys() == scores[1].keys()
        assert all(abs(scores[0][c] - scores[1][c]) < 1e-5 for c in scores[0])
        assert max(scores[0].values()) > 0
        present = set(tokens[:1])  # part of the question: its share weighs terms by rarity
        assert incremental.lexical.coverage(tokens, present) == full.lexical.coverage(
            tokens, present
        )
    assert len(full) == sum(record.chunks for record in store.files.values())


def test_a_file_indexed_again_differently_is_not_copied_from_the_old_snapshot(
    engine: rag.RAG, workdir: Path
):
    """A file removed and indexed again with other chunk settings: the snapshot built from the
    old one holds the new chunks, not rows copied from the old chunking (chunk ids name the
    chunk settings too, and the copy goes by file record, not by id)."""
    doc = workdir / "cpec-primer.md"
    shutil.copy(SEEDS / "cpec-primer.md", doc)
    engine.ingest([workdir])
    before = engine.retriever.snapshot()
    index = engine.settings.index_dir
    other = rag.RAG(index=index, chunk_size=300, chunk_overlap=50)
    assert other.remove(str(doc.resolve()))
    other.ingest([workdir])
    (index / POINTER).unlink()  # no saved snapshot: `engine` must build from its own old one
    after = engine.retriever.snapshot()
    assert not set(after.ids) & set(before.ids)
    assert len(after.ids) > len(before.ids)  # smaller chunks: more of them
    expected = {c.chunk_id: c.chunk.text for c in engine.store.stored_chunks()}
    assert {chunk_id: after.text(i) for i, chunk_id in enumerate(after.ids)} == expected


def test_an_index_whose_chunks_have_no_keywords_still_searches(engine: rag.RAG, workdir: Path):
    """Only stop words and one-letter words: the keyword side has no vocabulary at all."""
    (workdir / "terse.txt").write_text("It is what it is, and so on. A b c.")
    assert engine.ingest([workdir]).ok
    hits = rag.RAG(index=engine.settings.index_dir).search("what is it", k=1)
    assert hits and hits[0].source.endswith("terse.txt")


def _bytes_read() -> int:
    """Bytes this process has read through read() calls, page cache hits included (Linux)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="reads /proc/self/io (Linux)")
def test_warm_up_reads_the_snapshot_files_into_the_page_cache(engine: rag.RAG, workdir: Path):
    """After a reboot a search waits on the disk for its candidates' rows, so a server's warm-up
    reads the snapshot's memory-mapped files through once."""
    shutil.copy(SEEDS / "cpec-primer.md", workdir / "cpec-primer.md")
    engine.ingest([workdir])
    server = rag.RAG(index=engine.settings.index_dir)
    folder = server.retriever.snapshot().folder
    mapped = sum(path.stat().st_size for path in folder.glob("*.bin"))
    assert mapped > 10_000
    before = _bytes_read()
    server.warm_up()
    assert _bytes_read() - before >= mapped
