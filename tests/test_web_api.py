"""The HTTP API served beside the UI: real server process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx
import pytest

import rag

from .conftest import CHINA_QUESTION, DOCS, ROOT, ui_server

sys.path.insert(0, str(ROOT / "bench"))
from load import run_load  # noqa: E402

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out

BELARUS_QUESTION = "Which nuclear weapons has Russia deployed to Belarus?"


def test_query_returns_the_same_answer_as_the_python_api(seed_engine: rag.RAG):
    expected = seed_engine.query(CHINA_QUESTION)
    with ui_server(seed_engine.settings.index_dir) as url:
        response = httpx.post(f"{url}api/query", json={"question": CHINA_QUESTION}, timeout=60)
        assert response.status_code == 200
        body = response.json()
        assert body["text"] == expected.text and body["found"] is True
        assert [
            (c["n"], c["source"], c["start"], c["end"], c["quote"]) for c in body["citations"]
        ] == [(c.n, c.source, c.start, c.end, c.quote) for c in expected.citations]
        follow_up = httpx.post(
            f"{url}api/query",
            json={"question": "And what about India?", "history": [CHINA_QUESTION]},
            timeout=60,
        ).json()
        assert follow_up["searched"] != "And what about India?"

        for bad, where in (
            ({"question": ""}, "question"),
            ({"question": "x", "k": 0}, "k"),
            ({"question": "x", "mode": "poetry"}, "mode"),
        ):
            refused = httpx.post(f"{url}api/query", json=bad, timeout=60)
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == where
        no_model = httpx.post(
            f"{url}api/query", json={"question": "x", "mode": "generative"}, timeout=60
        )
        assert no_model.status_code == 400 and "--llm-url" in no_model.json()["detail"]

        schema = httpx.get(f"{url}api/openapi.json", timeout=60).json()
        assert {"/api/query", "/api/ingest", "/api/status"} <= set(schema["paths"])
        assert "question" in schema["components"]["schemas"]["QueryRequest"]["properties"]


def test_ingest_uploads_then_answers_from_them(
    seed_engine: rag.RAG, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("RAG_MAX_UPLOAD_MB", "1")  # the server reads it at start
    index = tmp_path / "index"
    shutil.copytree(seed_engine.settings.index_dir, index)
    uploads = tmp_path / "uploads"
    name = "IF12672v12-russias-nuclear-weapons.md"
    with ui_server(index, upload_dir=uploads) as url:
        files = [
            ("files", (name, (DOCS / name).read_bytes())),
            ("files", ("../../evil.exe", b"MZ not a document")),
            ("files", ("huge.md", b"word " * 400_000)),  # 2 MB, over the 1 MB limit
        ]
        response = httpx.post(f"{url}api/ingest", files=files, timeout=300)
        assert response.status_code == 200
        good, bad, huge = response.json()["reports"]
        assert huge["added"] == [] and "over the 1 MB upload limit" in huge["failed"][0]["reason"]
        assert good["added"] == [str(uploads / name)] and good["chunks_added"] > 0
        assert bad["added"] == [] and "unsupported file type '.exe'" in bad["failed"][0]["reason"]
        assert sorted(p.name for p in uploads.iterdir()) == [name]  # nothing else written

        status = httpx.get(f"{url}api/status", timeout=60).json()
        assert status["documents"] == len(seed_engine.documents()) + 1
        answer = httpx.post(
            f"{url}api/query", json={"question": BELARUS_QUESTION}, timeout=60
        ).json()
        assert any(c["source"].endswith(name) for c in answer["citations"])
        assert "Belarus" in answer["text"]


def test_login_protects_the_api(seed_engine: rag.RAG):
    with ui_server(seed_engine.settings.index_dir, auth="reader:s3cret") as url:
        question = {"question": CHINA_QUESTION}
        assert httpx.post(f"{url}api/query", json=question, timeout=60).status_code == 401
        wrong = httpx.post(f"{url}api/query", json=question, auth=("reader", "guess"), timeout=60)
        assert wrong.status_code == 401
        right = httpx.post(f"{url}api/query", json=question, auth=("reader", "s3cret"), timeout=60)
        assert right.status_code == 200 and right.json()["found"]


def test_sixteen_clients_for_thirty_seconds_without_errors(seed_engine: rag.RAG):
    """The issue's load test: 16 concurrent API clients on 127.0.0.1 (bench/load.py's code)."""
    with ui_server(seed_engine.settings.index_dir) as url:
        result = run_load(url, clients=16, seconds=30)
    print(
        f"\nHTTP API, 16 clients x 30 s: {result['requests']} requests, "
        f"{result['throughput_rps']:.1f}/s, p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, {result['errors']} errors"
    )
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] >= 16  # every client completed at least one request


def test_sixteen_clients_each_keeping_a_conversation_without_errors(seed_engine: rag.RAG):
    """bench/load.py's conversation mode: each client asks inside its own stored conversation
    (earlier turns as history, every turn written to the database)."""
    with ui_server(seed_engine.settings.index_dir) as url:
        result = run_load(url, clients=16, seconds=15, conversations=True)
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] >= 16
