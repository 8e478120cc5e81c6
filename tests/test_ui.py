"""The chat UI served for real on 127.0.0.1 and used through Gradio's own client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from rag.ui.render import render_answer, render_sources

import rag

from .conftest import CHINA_QUESTION, ui_server

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out


def _listening_on_loopback_only(port: int) -> bool:
    """True when /proc lists the port bound to 127.0.0.1 and to no other address."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                addresses.append(address)
    return addresses == ["0100007F"]


@pytest.fixture(scope="module")
def server(seed_engine: rag.RAG) -> Iterator[str]:
    with ui_server(seed_engine.settings.index_dir) as url:
        yield url


def test_ui_answers_with_citations_and_binds_to_loopback(server: str):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    assert _listening_on_loopback_only(port)
    client = Client(server, verbose=False)
    chat, sources, *_ = client.predict(CHINA_QUESTION, [], api_name="/ask")
    answer = chat[-1]["content"][0]["text"]
    assert 'class="rag-cite"' in answer and ">[1]</a>" in answer
    assert "pakistan-us-deals-and-china.md" in sources
    assert "<mark>" in sources and "watching these deals carefully" in sources


def test_document_html_is_shown_as_text(engine: rag.RAG, workdir: Path):
    page = workdir / "hostile.md"
    page.write_text(
        "The lighthouse keeper wrote <script>alert('x')</script> in the log. "
        'He also drew <img src=x onerror="alert(1)"> beside the lighthouse entry.'
    )
    engine.ingest([workdir])
    answer = engine.query("What did the lighthouse keeper write in the log?")
    html = render_sources(answer) + render_answer(answer, 0)
    assert answer.found and "lighthouse" in html
    assert "<script" not in html and "<img" not in html
    assert "&#60;script&#62;" in html and "&#60;img" in html


def test_uploads_cannot_escape_their_folder_and_bad_uploads_change_nothing(tmp_path: Path):
    uploads = tmp_path / "uploads"
    engine = rag.RAG(index=tmp_path / "index", upload_dir=uploads, max_upload_mb=0.001)
    good = tmp_path / "incoming"
    good.write_text("Gannets dive from great heights into the sea.")
    report = engine.add_upload("../../../etc/evil name.txt", good)
    assert report.added == [str(uploads / "evil name.txt")]
    assert [p.name for p in uploads.iterdir()] == ["evil name.txt"]
    for name in ("/abs/olute.md", "..\\\\..\\\\win.md", "\u202egnp.md", ".hidden.md"):
        engine.add_upload(name, good)
    assert all(p.parent == uploads for p in uploads.iterdir())
    assert not any(p.name.startswith(".") for p in uploads.iterdir())

    before = engine.status().chunks
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    big = tmp_path / "big"
    big.write_text("word " * 1000)
    for name, content, message in (
        ("empty.txt", empty, "is empty"),
        ("big.txt", big, "upload limit"),
        ("slides.key", good, "unsupported file type"),
    ):
        with pytest.raises(rag.RagError, match=message):
            engine.add_upload(name, content)
        assert not (uploads / name).exists()
    assert engine.status().chunks == before


def test_several_uploads_are_indexed_in_one_ingest_with_a_report_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from rag.index.snapshot import Snapshot

    uploads = tmp_path / "uploads"
    engine = rag.RAG(index=tmp_path / "index", upload_dir=uploads)
    files = {}
    for name, text in (
        ("gannets.txt", "Gannets dive from great heights into the sea."),
        ("empty.txt", ""),
        ("puffins.md", "Puffins nest in burrows on sea cliffs."),
        ("slides.key", "not a supported type"),
    ):
        files[name] = tmp_path / f"incoming-{name}"
        files[name].write_text(text)
    builds = []
    real_build = Snapshot.build
    monkeypatch.setattr(Snapshot, "build", lambda *a, **k: builds.append(1) or real_build(*a, **k))

    reports = engine.add_uploads(list(files.items()))

    gannets, empty, puffins, slides = reports
    assert gannets.added == [str(uploads / "gannets.txt")]
    assert puffins.added == [str(uploads / "puffins.md")]
    assert gannets.chunks_added == puffins.chunks_added == 1
    assert "is empty" in empty.failed[0].reason and not empty.added
    assert "unsupported file type" in slides.failed[0].reason and not slides.added
    assert len(builds) == 1  # one search snapshot for the two files, not one each
    assert engine.search("where do puffins nest", k=1)[0].source == str(uploads / "puffins.md")
    again = engine.add_uploads([("gannets.txt", files["gannets.txt"])])
    assert again[0].unchanged == [str(uploads / "gannets.txt")]


def test_two_sessions_uploading_one_name_never_index_a_half_copied_file(tmp_path: Path):
    """Two sessions upload the same file name over and over, with different contents. Each
    copy lands whole (copied aside, then renamed), so no ingest ever reads a truncated file
    (seen once in the sixteen-user test as 'empty file (0 bytes)')."""
    import concurrent.futures

    uploads = tmp_path / "uploads"
    engine = rag.RAG(index=tmp_path / "index", upload_dir=uploads)
    sources = []
    for i in range(2):
        source = tmp_path / f"incoming-{i}"
        source.write_text(f"Version {i}: " + "the gannets nest on the northern cliffs. " * 200)
        sources.append(source)

    def uploader(i: int) -> list[str]:
        failures = []
        for _ in range(15):
            report = engine.add_upload("shared-name.txt", sources[i])
            failures += [f.reason for f in report.failed]
        return failures

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for job in [pool.submit(uploader, i) for i in range(2)] for f in job.result()]
    assert failures == []
    assert [p.name for p in uploads.iterdir()] == ["shared-name.txt"]  # no partial left behind


def test_login_is_required_when_configured(seed_engine: rag.RAG):
    import httpx

    with ui_server(seed_engine.settings.index_dir, auth="reader:s3cret") as url:
        with pytest.raises(ValueError):
            Client(url, verbose=False)  # no credentials: the app refuses
        client = Client(url, auth=("reader", "s3cret"), verbose=False)
        chat, _sources, *_ = client.predict(CHINA_QUESTION, [], api_name="/ask")
        assert "rag-cite" in chat[-1]["content"][0]["text"]
        assert httpx.get(url + "config").status_code in (401, 403)
