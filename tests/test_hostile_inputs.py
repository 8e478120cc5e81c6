"""Hostile and odd inputs: every loader either reads a file or raises LoadError; the run goes on;
odd questions get a clear answer or error, fast."""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

import rag
from rag.errors import LoadError
from rag.ingestion import formats
from rag.ingestion.documents import load
from rag.ingestion.formats import SUPPORTED_SUFFIXES
from rag.serve.web_api import create_app

from .conftest import DOCS, ROOT

sys.path.insert(0, str(ROOT))
from bench import hostile  # noqa: E402

LIMIT = 5_000_000


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_random_bytes_never_crash_a_loader(tmp_path: Path, data: bytes, suffix: str):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        document = load(path, str(path), LIMIT)
    except LoadError as exc:
        assert str(exc)  # a reason a user can read
    else:
        assert document.text.strip()
        assert all(document.text[p.start : p.end] for p in document.pages)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(0.05, 0.95))
def test_truncated_real_files_never_crash(tmp_path: Path, cut: float):
    for name in ("word_sample.docx", "amt_handbook_sample.pdf", "wiki_duck.html"):
        data = (DOCS / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(data[: int(len(data) * cut)])
        try:
            load(path, str(path), LIMIT)
        except LoadError:
            pass


def test_encrypted_pdf_says_so(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(LoadError, match="encrypted"):
        load(path, str(path), LIMIT)


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 50_000_000)
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(LoadError, match="zip bomb"):
        load(path, str(path), LIMIT)
    assert time.perf_counter() - started < 5


def test_mixed_encodings_are_not_mangled(tmp_path: Path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Zürich in UTF-8.\n".encode() + "Genève in Latin-1.\n".encode("latin-1"))
    assert load(path, str(path), LIMIT).text == "Zürich in UTF-8.\nGenève in Latin-1."


def test_megabyte_line_html_and_text(tmp_path: Path):
    html = tmp_path / "wide.html"
    html.write_text("<html><body><p>" + "word " * 400_000 + "</p></body></html>")
    text = tmp_path / "wide.txt"
    text.write_text(("y" * 900 + " ") * 3_000)  # long "words", but within what text can hold
    for path in (html, text):
        started = time.perf_counter()
        document = load(path, str(path), LIMIT)
        chunks = rag.text.chunking.chunk_document(document, 800, 150)
        assert all(len(c.text) <= 800 for c in chunks)
        assert time.perf_counter() - started < 60


def test_odd_folders_and_names_do_not_stop_a_run(engine: rag.RAG, tmp_path: Path):
    root = tmp_path / "odd"
    deep = root.joinpath(*[f"level{i}" for i in range(40)])
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("The deepest file talks about lanterns.")
    (root / "line\nbreak ünï©ødé.md").write_text("A file whose name has a newline, about kites.")
    (root / "loop").symlink_to(root, target_is_directory=True)  # a symlink loop
    (root / "empty.txt").write_bytes(b"")
    report = engine.ingest([root])
    assert sorted(Path(s).name for s in report.added) == ["deep.txt", "line\nbreak ünï©ødé.md"]
    assert [Path(f.source).name for f in report.failed] == ["empty.txt"]
    assert "lanterns" in engine.search("lanterns", k=1)[0].text


@pytest.mark.parametrize(
    "question",
    ["?!?! ... ;;", "x" * 100_000, "中国如何看待这些协议？", "🙂🙂🙂", "the of and"],
)
def test_odd_questions_get_an_answer_fast(seed_engine: rag.RAG, question: str):
    started = time.perf_counter()
    answer = seed_engine.query(question)
    assert isinstance(answer.found, bool) and answer.text
    assert time.perf_counter() - started < 5


def test_work_per_file_is_bounded_and_configurable(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "huge.txt").write_text("A sentence about nothing much. " * 2000)  # ~60 KB, ~80 chunks
    (docs / "small.txt").write_text("Terns migrate from pole to pole.")
    engine = rag.RAG(index=tmp_path / "index", max_chunks_per_file=50)
    report = engine.ingest([docs])
    assert report.added == [str(docs / "small.txt")]
    assert "RAG_MAX_CHUNKS_PER_FILE" in report.failed[0].reason
    assert rag.RAG(index=tmp_path / "index2").ingest([docs]).ok  # the default limit admits it


# -- Hostile files (issue 20): each of these failed, hung or leaked before, one row each --------


def _sync_within(engine: rag.RAG, paths: list[Path], seconds: float) -> rag.IngestReport:
    """engine.ingest(paths), failing the test (instead of hanging it) past `seconds`."""
    done: dict[str, object] = {}
    thread = threading.Thread(target=lambda: done.update(report=engine.ingest(paths)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the sync did not finish within {seconds} s"
    return done["report"]  # type: ignore[return-value]


def _named(entries: list[rag.FileFailure], name: str) -> rag.FileFailure:
    matches = [entry for entry in entries if Path(entry.source).name == name]
    assert len(matches) == 1, (name, entries)
    return matches[0]


def test_an_entity_bomb_is_refused_fast_and_the_run_goes_on(engine: rag.RAG, workdir: Path):
    hostile.entity_bomb_docx(workdir / "bomb.docx")
    (workdir / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    started = time.perf_counter()
    with pytest.raises(LoadError, match="entities"):
        load(workdir / "bomb.docx", "bomb.docx", LIMIT)
    assert time.perf_counter() - started < 2  # refused before expanding anything
    report = engine.ingest([workdir])
    assert [Path(s).name for s in report.added] == ["notes.md"]
    assert "entity bomb" in _named(report.failed, "bomb.docx").reason


def test_a_zip_part_packed_far_beyond_real_documents_is_refused(tmp_path: Path):
    path = hostile.ratio_bomb_docx(tmp_path / "dense.docx", megabytes=3)
    assert path.stat().st_size < 20_000  # 3 MB unpacked: within the size limit
    with pytest.raises(LoadError, match="times its packed size"):
        load(path, str(path), LIMIT)


def test_a_pdf_stream_inflating_to_hundreds_of_megabytes_is_bounded(tmp_path: Path):
    path = hostile.pdf_bomb(tmp_path / "bomb.pdf", megabytes=200)
    started = time.perf_counter()
    with pytest.raises(LoadError):  # pypdf stops inflating at its own limit (75 MB)
        load(path, str(path), LIMIT)
    assert time.perf_counter() - started < 10


def test_a_name_that_is_not_utf8_is_indexed_and_shown(engine: rag.RAG, workdir: Path):
    (workdir / hostile.ODD_NAME).write_text("Kites fly best in a steady wind.")
    report = engine.ingest([workdir])
    shown = str(workdir / "odd-\ufffd-name.md")
    assert report.added == [shown] and report.ok
    passage = engine.search("When do kites fly best?", k=1)[0]
    assert passage.source == shown and "steady wind" in passage.text
    assert engine.query("When do kites fly best?").citations[0].source == shown
    assert [d.source for d in engine.documents()] == [shown]
    # Kept exactly: the manifest key is the real path, so a sync finds it unchanged ...
    assert engine.ingest([workdir]).unchanged == [shown]
    # ... and removing the file removes its chunks.
    (workdir / hostile.ODD_NAME).unlink()
    assert engine.ingest([workdir]).removed == [shown] and not engine.documents()


def test_a_name_that_is_not_utf8_goes_through_the_http_api(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / hostile.ODD_NAME).write_text("Kites fly best in a steady wind.")
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([folder])
    client = TestClient(create_app(engine))
    body = client.post("/api/query", json={"question": "When do kites fly best?"})
    assert body.status_code == 200
    assert body.json()["citations"][0]["source"].endswith("odd-\ufffd-name.md")


def test_pipes_and_links_to_devices_are_never_opened(engine: rag.RAG, workdir: Path):
    os.mkfifo(workdir / "pipe.txt")
    (workdir / "zero.txt").symlink_to("/dev/zero")
    (workdir / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    report = _sync_within(engine, [workdir], 60)
    assert [Path(s).name for s in report.added] == ["notes.md"]
    assert "named pipe" in _named(report.skipped, "pipe.txt").reason
    assert "outside the folders" in _named(report.skipped, "zero.txt").reason
    followed = rag.RAG(index=engine.settings.index_dir, follow_links=True)
    assert "a device" in _named(_sync_within(followed, [workdir], 60).skipped, "zero.txt").reason


def test_links_are_followed_only_inside_the_synced_folders(engine: rag.RAG, tmp_path: Path):
    notes = hostile.build_folder(tmp_path, hostile=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(hostile.SECRET)
    (notes / "secret-link.txt").symlink_to(outside / "secret.txt")
    (notes / "again.md").symlink_to(notes / "terns.md")  # the same file reached twice
    report = engine.ingest([notes])
    assert "outside the folders" in _named(report.skipped, "secret-link.txt").reason
    assert sorted(Path(s).name for s in report.added) == ["odd-\ufffd-name.md", "terns.md"]
    assert all("vault" not in p.text for p in engine.search("vault combination", k=5))

    opted_in = rag.RAG(index=engine.settings.index_dir, follow_links=True)
    assert [Path(s).name for s in opted_in.ingest([notes]).added] == ["secret-link.txt"]
    assert "31-41-59" in opted_in.search("vault combination", k=1)[0].text
    (notes / "secret-link.txt").unlink()  # the link goes: what it pointed at goes too
    assert [Path(s).name for s in opted_in.ingest([notes]).removed] == ["secret-link.txt"]


def test_deeply_nested_html_reads_in_linear_time(tmp_path: Path):
    path = hostile.deep_html(tmp_path / "deep.html", depth=50_000)
    started = time.perf_counter()
    assert load(path, str(path), LIMIT).text == "deep"
    assert time.perf_counter() - started < 20  # was 143 s: quadratic in the depth


def test_a_file_of_one_endless_word_is_refused_before_chunking(engine: rag.RAG, workdir: Path):
    hostile.one_word_text(workdir / "word.txt", megabytes=12)
    started = time.perf_counter()
    with pytest.raises(LoadError, match="over 1,000 characters"):
        load(workdir / "word.txt", "word.txt", 100_000_000)
    assert time.perf_counter() - started < 5
    # Such runs inside real text are left out; the prose around them stays.
    mixed = workdir / "mixed.md"
    mixed.write_text("Terns migrate far. " * 500 + "QUJD" * 2000 + " Kites fly high.")
    text = load(mixed, "mixed.md", LIMIT).text
    assert "QUJD" not in text and text.endswith("Terns migrate far. Kites fly high.")


def test_parser_warnings_go_into_the_report_not_the_terminal(
    engine: rag.RAG, workdir: Path, capfd: pytest.CaptureFixture[str]
):
    hostile.corrupt_pdf(workdir / "corrupt.pdf")
    (workdir / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    capfd.readouterr()
    report = engine.ingest([workdir])
    printed = capfd.readouterr()
    assert "EOF marker" not in printed.err + printed.out
    assert "EOF marker not found" in _named(report.failed, "corrupt.pdf").reason


def test_the_time_budget_stops_a_slow_file_and_the_run_goes_on(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    hostile.deep_html(folder / "slow.html", depth=150_000)  # ~5 s to read
    (folder / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    engine = rag.RAG(index=tmp_path / "index", file_timeout_s=1.0)
    started = time.perf_counter()
    report = engine.ingest([folder])
    assert time.perf_counter() - started < 4.5
    assert "RAG_FILE_TIMEOUT_S" in _named(report.failed, "slow.html").reason
    assert [Path(s).name for s in report.added] == ["notes.md"]
    (folder / "more.md").write_text("Kites fly best in a steady wind.")  # a fresh reader works
    assert [Path(s).name for s in engine.ingest([folder]).added] == ["more.md"]


def crash_reader(path: Path, max_bytes: int) -> list[str]:
    """A format reader that kills its process, as a parser's C code can."""
    os.abort()


def test_a_reader_that_crashes_fails_its_file_only(
    engine: rag.RAG, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(formats.FORMATS, ".crash", formats.Format(crash_reader))
    (workdir / "a.crash").write_text("anything")
    (workdir / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    report = engine.ingest([workdir])
    assert "crashed (killed by SIGABRT)" in _named(report.failed, "a.crash").reason
    assert [Path(s).name for s in report.added] == ["notes.md"]


def test_a_folder_of_every_hostile_file_syncs_and_a_second_sync_has_nothing_to_do(
    engine: rag.RAG, tmp_path: Path
):
    notes = hostile.build_folder(tmp_path)
    started = time.perf_counter()
    report = _sync_within(engine, [notes], 90)
    seconds = time.perf_counter() - started
    assert seconds < 90
    added = {Path(s).name for s in report.added}
    assert {"terns.md", "odd-\ufffd-name.md"} <= added
    failed = {Path(f.source).name for f in report.failed}
    skipped = {Path(f.source).name for f in report.skipped}
    assert {"entity-bomb.docx", "ratio-bomb.docx", "one-word.txt", "corrupt.pdf"} <= failed
    assert "pdf-bomb.pdf" in failed
    assert {"pipe.txt", "zero.txt", "secret-link.txt"} <= skipped
    assert all(f.reason for f in report.failed + report.skipped)
    assert "31-41-59" not in " ".join(p.text for p in engine.search("vault combination", k=10))
    again = _sync_within(engine, [notes], 90)
    assert not (again.added or again.updated or again.removed) and again.chunks_added == 0


def _longest_lock_hold(lock_file: Path, work: Callable[[], object]) -> tuple[float, object]:
    """Run `work` while another thread tries to take the index's write lock every 5 ms;
    returns the longest time the lock was held by someone else, and what `work` returned."""
    stop = threading.Event()
    longest = 0.0

    def probe() -> None:
        nonlocal longest
        with open(lock_file, "a+") as handle:
            blocked_since = None
            while not stop.is_set():
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    blocked_since = None
                except BlockingIOError:
                    now = time.perf_counter()
                    blocked_since = blocked_since or now
                    longest = max(longest, now - blocked_since)
                time.sleep(0.005)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        result = work()
    finally:
        stop.set()
        thread.join()
    return longest, result


def test_a_hostile_upload_holds_the_write_lock_only_to_write(tmp_path: Path):
    engine = rag.RAG(index=tmp_path / "index", upload_dir=tmp_path / "uploads")
    engine.ingest([hostile.build_folder(tmp_path / "warm", hostile=False)])  # model loaded
    files = tmp_path / "files"
    files.mkdir()
    uploads = [
        hostile.deep_html(files / "deep.html", depth=100_000),  # seconds to read
        hostile.entity_bomb_docx(files / "bomb.docx"),
        hostile.one_word_text(files / "word.txt", megabytes=3),
        hostile.corrupt_pdf(files / "corrupt.pdf"),
    ]
    (files / "notes.md").write_text("Arctic terns migrate from pole to pole.")
    uploads.append(files / "notes.md")
    client = TestClient(create_app(engine))
    lock_file = engine.settings.index_dir / ".write.lock"
    started = time.perf_counter()
    longest, response = _longest_lock_hold(
        lock_file,
        lambda: client.post(
            "/api/ingest", files=[("files", (p.name, p.read_bytes())) for p in uploads]
        ),
    )
    took = time.perf_counter() - started
    reports = response.json()["reports"]
    assert [len(r["failed"]) for r in reports] == [0, 1, 1, 1, 0]
    assert "entity bomb" in reports[1]["failed"][0]["reason"]
    assert took > 3 * longest and longest < 1.5, (took, longest)

    # The UI's upload button calls add_uploads, on an index of its own here.
    ui_engine = rag.RAG(index=tmp_path / "ui-index", upload_dir=tmp_path / "ui-uploads")
    ui_engine.ingest([tmp_path / "warm" / "notes"])
    longest, reports = _longest_lock_hold(
        ui_engine.settings.index_dir / ".write.lock",
        lambda: ui_engine.add_uploads([(p.name, p) for p in uploads]),
    )
    assert [len(r.failed) for r in reports] == [0, 1, 1, 1, 0] and longest < 1.5


def test_a_process_holding_many_descriptors_still_reads_files(tmp_path: Path):
    """The UI and long test sessions hold over a thousand descriptors; waiting on the reader
    child with select() then failed every file ("filedescriptor out of range in select()")."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / "note.md").write_text("The lighthouse was repainted in May.\n")
        report = rag.RAG(index=tmp_path / "index").ingest([tmp_path / "docs"])
        assert report.ok and report.added, report.failed
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
