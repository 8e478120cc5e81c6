"""Incremental sync: add, change, delete, unchanged; idempotent; no duplicates or stale chunks;
bad files never cost what was indexed before."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import rag

from .conftest import DOCS, SEEDS


def _chroma_state(engine: rag.RAG) -> tuple[list[str], dict[str, int]]:
    """All chunk ids and chunk counts per source, read straight from Chroma."""
    got = engine.store._collection.get(include=["metadatas"])
    per_source: dict[str, int] = {}
    for meta in got["metadatas"]:
        per_source[meta["source"]] = per_source.get(meta["source"], 0) + 1
    return got["ids"], per_source


def _assert_consistent(engine: rag.RAG) -> dict[str, int]:
    ids, per_source = _chroma_state(engine)
    assert len(ids) == len(set(ids))
    manifest = {record.source: record.chunks for record in engine.store.files.values()}
    assert per_source == manifest  # every chunk belongs to a manifest file, and vice versa
    return per_source


def test_add_unchanged_change_delete(engine: rag.RAG, workdir: Path):
    for seed in SEEDS.glob("*.md"):
        shutil.copy(seed, workdir / seed.name)
    first = engine.ingest([workdir])
    assert len(first.added) == 4 and first.ok
    before = _assert_consistent(engine)

    again = engine.ingest([workdir])
    assert (again.added, again.updated, again.removed, again.chunks_added) == ([], [], [], 0)
    assert len(again.unchanged) == 4
    assert _assert_consistent(engine) == before

    changed = workdir / "cpec-primer.md"
    changed.write_text(changed.read_text() + "\nThe corridor also carries a fibre-optic cable.\n")
    (workdir / "digital-assets-note.md").unlink()
    (workdir / "new.txt").write_text("Gwadar is a deep-sea port on the Arabian Sea coast.")
    report = engine.ingest([workdir])
    assert report.updated == [str(changed)]
    assert report.removed == [str(workdir / "digital-assets-note.md")]
    assert report.added == [str(workdir / "new.txt")]
    assert len(report.unchanged) == 2
    # Only the changed and new files were embedded.
    after = _assert_consistent(engine)
    assert report.chunks_added == after[str(changed)] + after[str(workdir / "new.txt")]
    assert str(workdir / "digital-assets-note.md") not in after

    hits = engine.search("fibre-optic cable in the corridor", k=3)
    assert hits[0].source == str(changed) and "fibre-optic" in hits[0].text
    assert not any("digital-assets" in hit.source for hit in engine.search("stablecoins", k=10))


def test_same_file_under_two_spellings_is_indexed_once(engine: rag.RAG, workdir: Path):
    (workdir / "a.txt").write_text("One fact about herons. Herons wade in shallow water.")
    engine.ingest([workdir / "a.txt"])
    report = engine.ingest([str(workdir) + "/./a.txt"])
    assert report.unchanged and not report.added
    assert engine.status().chunks == 1


def test_removal_is_scoped_to_the_paths_given(engine: rag.RAG, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "a.txt").write_text("Apples grow on trees in orchards.")
    (two / "b.txt").write_text("Bananas grow in tropical plantations.")
    engine.ingest([one])
    engine.ingest([two])  # ingesting another folder must not drop the first one's files
    assert {d.source for d in engine.documents()} == {str(one / "a.txt"), str(two / "b.txt")}
    (one / "a.txt").unlink()
    assert engine.ingest([one]).removed == [str(one / "a.txt")]
    assert [d.source for d in engine.documents()] == [str(two / "b.txt")]


def test_bad_files_fail_alone_and_keep_earlier_content(engine: rag.RAG, workdir: Path):
    good = workdir / "good.md"
    good.write_text("Ospreys dive feet first to catch fish.")
    engine.ingest([workdir])
    (workdir / "empty.txt").write_bytes(b"")
    (workdir / "junk.txt").write_bytes(bytes(range(256)) * 10)
    shutil.copy(DOCS / "IF12672v12-russias-nuclear-weapons.pdf", workdir / "report.pdf")
    (workdir / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (workdir / "drawing.svg").write_text("<svg/>")  # not a format rag reads
    good.write_bytes(bytes(range(256)) * 10)  # the good file is overwritten with junk

    report = engine.ingest([workdir, workdir / "missing.txt"])
    reasons = {Path(f.source).name: f.reason for f in report.failed}
    assert set(reasons) == {"empty.txt", "junk.txt", "broken.pdf", "good.md", "missing.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["junk.txt"]
    assert "PDF" in reasons["broken.pdf"] and "no such file" in reasons["missing.txt"]
    assert [Path(s.source).name for s in report.skipped] == ["drawing.svg"]
    assert report.added == [str(workdir / "report.pdf")]
    # The earlier version of good.md is still answerable: a failed update loses nothing.
    assert "Ospreys" in engine.search("how do ospreys catch fish", k=1)[0].text
    _assert_consistent(engine)


def test_rebuild_and_orphan_cleanup(engine: rag.RAG, workdir: Path):
    (workdir / "a.txt").write_text("Kingfishers nest in burrows in river banks.")
    engine.ingest([workdir])
    # Simulate a run killed after writing chunks but before the manifest: forget the file.
    engine.store.files.clear()
    engine.store.save_manifest()
    report = engine.ingest([workdir])
    assert report.added == [str(workdir / "a.txt")]
    _assert_consistent(engine)
    rebuilt = engine.ingest([workdir], rebuild=True)
    assert rebuilt.added == [str(workdir / "a.txt")]
    _assert_consistent(engine)


def test_an_interrupted_update_is_undone_even_when_the_file_goes_back(
    engine: rag.RAG, workdir: Path
):
    note = workdir / "a.txt"
    note.write_text("Kingfishers nest in burrows in river banks.")
    engine.ingest([workdir])
    manifest = engine.settings.index_dir / "manifest.json"
    first_manifest = manifest.read_text()
    # A run killed after storing a new version's chunks but before the manifest: Chroma holds
    # the new version, the manifest the old one; then the file is put back as it was.
    note.write_text("Kingfishers dive for small fish from a perch above the water.")
    engine.ingest([workdir])
    manifest.write_text(first_manifest)
    note.write_text("Kingfishers nest in burrows in river banks.")

    engine = rag.RAG(index=engine.settings.index_dir)
    report = engine.ingest([workdir])
    assert report.added == [str(note)]  # re-indexed, not taken as unchanged
    _assert_consistent(engine)
    hits = engine.search("where do kingfishers nest", k=5)
    assert [h.text for h in hits] == ["Kingfishers nest in burrows in river banks."]


@pytest.mark.slow
def test_ingest_into_an_index_past_sqlites_variable_limit(engine: rag.RAG, workdir: Path):
    """Over ~32k chunks, reading every chunk's metadata in one Chroma call fails ("too many SQL
    variables"): checking for interrupted writes must not do that."""
    from rag.index.records import FileRecord
    from rag.types import Chunk, SentenceVectors

    store = engine.store
    rng = np.random.default_rng(0)
    files, per_file = 34, 1000
    for n in range(files):
        vectors = rng.standard_normal((per_file, engine.embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        key = str(workdir / "bulk" / f"{n}.txt")
        chunks = [Chunk(key, None, 0, 4, f"bulk {n} {i}") for i in range(per_file)]
        record = FileRecord(key, f"{n:064x}", 1, per_file, 0.0)
        empty = SentenceVectors((), np.zeros((0, engine.embedder.dimension), np.float32))
        store.replace_files([(key, record, chunks, vectors, [empty] * per_file)])
    (workdir / "owls.txt").write_text("Barn owls hunt at night by sound alone.")

    report = engine.ingest([workdir / "owls.txt"])
    assert report.added == [str(workdir / "owls.txt")]
    assert store.count() == files * per_file + 1
    assert engine.search("how do barn owls hunt", k=1)[0].source == str(workdir / "owls.txt")


def test_damaged_manifest_names_the_fix(engine: rag.RAG, workdir: Path):
    (workdir / "a.txt").write_text("Storks migrate between Europe and Africa.")
    index = engine.settings.index_dir
    engine.ingest([workdir])
    (index / "manifest.json").write_text("{not json")
    try:
        rag.RAG(index=index).status()
    except rag.StoreError as exc:
        assert "--rebuild" in str(exc)
    else:
        raise AssertionError("a damaged manifest must raise StoreError")
    assert rag.RAG(index=index).ingest([workdir], rebuild=True).added


def test_truncated_database_names_the_fix_and_rebuild_recovers(engine: rag.RAG, workdir: Path):
    (workdir / "a.txt").write_text("Herons stand still in shallow water while hunting.")
    index = engine.settings.index_dir
    engine.ingest([workdir])
    database = index / "chroma.sqlite3"
    database.write_bytes(database.read_bytes()[:4096])
    with pytest.raises(rag.StoreError, match="--rebuild"):
        rag.RAG(index=index).status()
    rebuilt = rag.RAG(index=index)
    assert rebuilt.ingest([workdir], rebuild=True).added == [str(workdir / "a.txt")]
    assert "Herons" in rebuilt.search("herons hunting", k=1)[0].text


def test_missing_manifest_is_an_error_for_readers_and_repaired_by_ingest(
    engine: rag.RAG, workdir: Path
):
    (workdir / "a.txt").write_text("Cormorants dry their wings in the sun.")
    index = engine.settings.index_dir
    engine.ingest([workdir])
    (index / "manifest.json").unlink()
    with pytest.raises(rag.StoreError, match="no manifest"):
        rag.RAG(index=index).query("Why do cormorants spread their wings?")
    repaired = rag.RAG(index=index)
    assert repaired.ingest([workdir]).added == [str(workdir / "a.txt")]
    _assert_consistent(repaired)


def test_progress_counts_a_file_once_it_is_stored(engine: rag.RAG, workdir: Path):
    """The first call gives the total before any work; each later call names a file whose
    chunks are already in the index, so a bar at 100% means the work is done (embedding is
    most of it, and it happens after files are read)."""
    for seed in SEEDS.glob("*.md"):
        shutil.copy(seed, workdir / seed.name)
    (workdir / "broken.pdf").write_bytes(b"not a pdf")
    calls = []

    def progress(done: int, total: int, source: str) -> None:
        stored = {record.source for record in engine.store.files.values()}
        calls.append((done, total, source, source in stored))

    report = engine.ingest([workdir], progress=progress)
    assert calls[0] == (0, 5, "", False)
    assert [c[0] for c in calls] == list(range(6))
    assert {c[2] for c in calls[1:]} == set(report.added) | {f.source for f in report.failed}
    assert all(stored for _, _, source, stored in calls[1:] if source in report.added)


def test_objects_older_than_an_ingest_are_not_rescanned_by_the_garbage_collector(
    engine: rag.RAG, workdir: Path
):
    """While files are read and embedded, what the process held before stays frozen (full
    collections re-scanning 500k+ objects held the GIL, so the encoder waited); afterwards it
    is collectable again."""
    import gc

    for seed in SEEDS.glob("*.md"):
        shutil.copy(seed, workdir / seed.name)
    frozen = []
    engine.ingest([workdir], progress=lambda *_: frozen.append(gc.get_freeze_count()))
    assert len(frozen) == 5 and min(frozen[1:]) > 100_000  # the first call comes before work
    assert gc.get_freeze_count() == 0


def test_new_chunk_settings_or_text_rules_reindex_files_whose_bytes_did_not_change(
    engine: rag.RAG, workdir: Path, tmp_path: Path
):
    """A file's chunks depend on the chunk settings and the text rules as well as its bytes: a
    sync under other settings, or over an index from before those were recorded, indexes it
    again (under new chunk ids, so an interrupted re-index is found like an interrupted update);
    a second sync under the same ones leaves it alone."""
    import hashlib

    from rag.index.records import FileRecord
    from rag.ingestion.documents import load
    from rag.text.chunking import chunk_document

    note = workdir / "note.md"
    note.write_text(
        " ".join(
            f"Sentence {i} says the tide at Fara Island turned at {i} o'clock." for i in range(40)
        )
    )
    engine.ingest([workdir])
    before = _assert_consistent(engine)[str(note)]
    ids_before = set(_chroma_state(engine)[0])

    smaller = rag.RAG(index=engine.settings.index_dir, chunk_size=300, chunk_overlap=50)
    report = smaller.ingest([workdir])
    assert report.updated == [str(note)]
    after = _assert_consistent(smaller)[str(note)]
    assert report.chunks_added == after > before
    assert not ids_before & set(_chroma_state(smaller)[0])
    assert smaller.ingest([workdir]).unchanged == [str(note)]

    # An index written before recipes were recorded: its record has none, its ids none either.
    legacy = rag.RAG(index=tmp_path / "legacy")
    chunks = chunk_document(load(note, str(note), 10**6), 800, 150)
    vectors, sentences = legacy.embedder.embed_chunks([chunk.text for chunk in chunks])
    sha = hashlib.sha256(note.read_bytes()).hexdigest()
    record = FileRecord(str(note), sha, note.stat().st_size, len(chunks), 0.0)
    legacy.store.replace_files([(str(note.resolve()), record, chunks, vectors, sentences)])
    assert legacy.ingest([workdir]).updated == [str(note)]
    assert legacy.ingest([workdir]).unchanged == [str(note)]
    assert _assert_consistent(legacy)[str(note)] == before


def test_deletes_piling_up_in_chroma_are_compacted_away(
    engine: rag.RAG, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    """Chroma's vector index keeps every deleted vector (and slows with them): once deletes
    reach the live count (and the minimum) the chunks move to a fresh collection with the same
    ids, and a RAG opened before follows the manifest there and keeps searching."""
    from rag.index import store as store_module
    from rag.index.records import chunk_ids

    monkeypatch.setattr(store_module, "_COMPACT_MIN", 20)
    for n in range(12):
        (workdir / f"tide-{n}.md").write_text(
            f"The tide at harbour {n} turns at {n} o'clock. Boats from harbour {n} wait for it.\n"
        )
    engine.ingest([workdir])
    reader = rag.RAG(index=engine.settings.index_dir)
    question = "When does the tide turn at harbour 7?"
    assert reader.search(question, k=1)[0].source.endswith("tide-7.md")
    first = engine.store._collection.name

    # Each sync under new chunk settings re-indexes all 12 one-chunk files: 12 deletes, under
    # the minimum of 20, then 24, over it and over the 12 live chunks.
    once = rag.RAG(index=engine.settings.index_dir, chunk_overlap=10)
    once.ingest([workdir])
    assert once.store._collection.name == first and once.store.deleted == 12
    twice = rag.RAG(index=engine.settings.index_dir, chunk_overlap=20)
    twice.ingest([workdir])
    store = twice.store
    assert store._collection.name != first and store.deleted == 0
    assert [c.name for c in store._client.list_collections()] == [store._collection.name]
    listed = {i for key, record in store.files.items() for i in chunk_ids(key, record)}
    assert set(_chroma_state(twice)[0]) == listed and len(listed) == 12
    _assert_consistent(twice)
    assert reader.search(question, k=1)[0].source.endswith("tide-7.md")
    assert twice.ingest([workdir]).unchanged == sorted(str(p) for p in workdir.iterdir())
