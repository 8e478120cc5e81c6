"""The HTTP API's conversations and accounts through FastAPI's TestClient, over a real index and a
real SQLite database: each call scoped to its caller, tokens and roles enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import rag
from rag.conversations.store import ChatStore
from rag.serve.web_api import create_app

from .conftest import CHINA_QUESTION, SEEDS, new_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def chats(seed_engine: rag.RAG, tmp_path: Path, request: pytest.FixtureRequest) -> rag.Chats:
    """The seed index's conversations in a fresh database: SQLite, and a real PostgreSQL."""
    if request.param == "sqlite":
        return rag.Chats(seed_engine, ChatStore.in_folder(tmp_path / "state"))
    url = new_database(request.getfixturevalue("postgres_server"))
    return rag.Chats(seed_engine, ChatStore(url))


def test_without_accounts_the_local_caller_keeps_conversations(
    seed_engine: rag.RAG, chats: rag.Chats
):
    client = TestClient(create_app(seed_engine, chats))
    documented = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/conversations",
        "/api/conversations/{conversation_id}",
        "/api/conversations/{conversation_id}/ask",
        "/api/conversations/{conversation_id}/export",
        "/api/conversations/{conversation_id}/turns/{n}/rating",
        "/api/documents",
    } <= set(documented)
    started = client.post("/api/conversations", json={})
    assert started.status_code == 201
    chat = started.json()["id"]
    turn = client.post(f"/api/conversations/{chat}/ask", json={"question": CHINA_QUESTION})
    assert turn.status_code == 200, turn.text
    assert turn.json()["n"] == 1 and turn.json()["answer"]["found"]
    follow = client.post(
        f"/api/conversations/{chat}/ask", json={"question": "And what does the US get from them?"}
    ).json()
    assert follow["n"] == 2 and follow["answer"]["searched"] != follow["answer"]["question"]
    listed = client.get("/api/conversations").json()
    assert [(c["id"], c["title"], c["turn_count"]) for c in listed] == [(chat, CHINA_QUESTION, 2)]
    assert client.get("/api/conversations", params={"search": "nothing like this"}).json() == []
    assert client.patch(f"/api/conversations/{chat}", json={"title": "China"}).status_code == 204
    assert client.get(f"/api/conversations/{chat}").json()["title"] == "China"
    rated = client.put(
        f"/api/conversations/{chat}/turns/1/rating", json={"rating": -1, "comment": "too long"}
    )
    assert rated.status_code == 204
    assert (
        client.put(f"/api/conversations/{chat}/turns/7/rating", json={"rating": 1}).status_code
        == 404
    )
    _questions, open_cases = chats.feedback()
    assert [(c["q"], c["comment"]) for c in open_cases] == [(CHINA_QUESTION, "too long")]
    exported = client.get(f"/api/conversations/{chat}/export")
    assert exported.headers["content-disposition"].startswith("attachment")
    first = turn.json()["answer"]["citations"][0]
    assert f"[^1-1]: {first['source']}" in exported.text
    assert " ".join(first["quote"].split()) in exported.text
    as_json = client.get(f"/api/conversations/{chat}/export", params={"format": "json"}).json()
    assert [t["n"] for t in as_json["turns"]] == [1, 2]
    assert client.delete(f"/api/conversations/{chat}").status_code == 204
    assert client.get(f"/api/conversations/{chat}").status_code == 404
    assert client.post(f"/api/conversations/{chat}/ask", json={"question": "x"}).status_code == 404


def test_with_accounts_every_call_needs_a_caller_and_sees_only_its_own(
    seed_engine: rag.RAG, chats: rag.Chats, tmp_path: Path
):
    chats.add_user("ann", "ann's long password", "reader")
    chats.add_user("bob", "bob's long password", "editor")
    ann = {"Authorization": f"Bearer {chats.new_token('ann')}"}
    bob = {"Authorization": f"Bearer {chats.new_token('bob')}"}
    client = TestClient(create_app(seed_engine, chats))
    for method, path in (
        ("get", "/api/conversations"),
        ("post", "/api/query"),
        ("get", "/api/status"),
        ("post", "/api/ingest"),
    ):
        assert client.request(method, path).status_code == 401, path
    forged = {"Authorization": "Bearer rag_not-a-token"}
    assert client.get("/api/conversations", headers=forged).status_code == 401
    assert client.get("/api/conversations", auth=("ann", "wrong password!")).status_code == 401
    assert client.get("/api/conversations", auth=("ann", "ann's long password")).status_code == 200

    chat = client.post("/api/conversations", json={}, headers=ann).json()["id"]
    asked = client.post(
        f"/api/conversations/{chat}/ask", json={"question": CHINA_QUESTION}, headers=ann
    )
    assert asked.status_code == 200
    assert [c["id"] for c in client.get("/api/conversations", headers=ann).json()] == [chat]
    assert client.get("/api/conversations", headers=bob).json() == []
    for method, path, body in (
        ("get", f"/api/conversations/{chat}", None),
        ("get", f"/api/conversations/{chat}/export", None),
        ("patch", f"/api/conversations/{chat}", {"title": "mine now"}),
        ("put", f"/api/conversations/{chat}/turns/1/rating", {"rating": 1}),
        ("post", f"/api/conversations/{chat}/ask", {"question": CHINA_QUESTION}),
        ("delete", f"/api/conversations/{chat}", None),
    ):
        assert client.request(method, path, json=body, headers=bob).status_code == 404, path
    assert client.get(f"/api/conversations/{chat}", headers=ann).json()["turn_count"] == 1

    document = SEEDS / "pakistan-us-deals-and-china.md"
    files = {"files": ("deals.md", document.read_bytes(), "text/markdown")}
    refused = client.post("/api/ingest", files=files, headers=ann)
    assert refused.status_code == 403 and "reader" in refused.json()["detail"]
    upload_dir = Path(seed_engine.settings.upload_dir)
    assert not (upload_dir / "deals.md").exists()  # nothing was written for the reader
    # The editor may upload (into a separate engine, so the shared seed index stays as it is).
    editor_engine = rag.RAG(index=tmp_path / "index", upload_dir=tmp_path / "uploads")
    editor_client = TestClient(create_app(editor_engine, rag.Chats(editor_engine, chats.store)))
    accepted = editor_client.post("/api/ingest", files=files, headers=bob)
    assert accepted.status_code == 200 and accepted.json()["reports"][0]["added"]
    assert editor_client.post("/api/ingest", files=files, headers=ann).status_code == 403
    (indexed,) = [d.source for d in editor_engine.documents()]
    gone = {"source": indexed}
    assert editor_client.delete("/api/documents", params=gone, headers=ann).status_code == 403
    assert editor_engine.documents()  # the reader removed nothing
    assert editor_client.delete("/api/documents", params=gone, headers=bob).status_code == 204
    assert editor_engine.documents() == []
    assert editor_client.delete("/api/documents", params=gone, headers=bob).status_code == 404
