"""The chat UI served for real on 127.0.0.1 and used through Gradio's own client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

import rag
from ui.app import render_answer, render_sources

from .conftest import CHINA_QUESTION, ui_server


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
    chat, sources, _question = client.predict(CHINA_QUESTION, [], api_name="/ask")
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
