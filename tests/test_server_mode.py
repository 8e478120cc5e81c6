"""Server mode: the same pipeline against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import rag

from .conftest import CHINA_QUESTION, ROOT, SEEDS, free_port, new_database, ui_server

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out


def _server_engine(tmp_path: Path, chroma_url: str, collection: str) -> rag.RAG:
    return rag.RAG(index=tmp_path, chroma_url=chroma_url, chroma_collection=collection)


def _cited(answer: rag.Answer) -> list[tuple]:
    return [(c.source, c.start, c.end, c.quote_spans) for c in answer.citations]


def test_server_mode_answers_as_embedded_mode(
    seed_engine: rag.RAG, chroma_url: str, tmp_path: Path
):
    engine = _server_engine(tmp_path / "local", chroma_url, f"seeds-{uuid.uuid4().hex[:8]}")
    report = engine.ingest(["seeds" if Path.cwd() == ROOT else SEEDS])
    assert report.ok and len(report.added) == len(seed_engine.documents())
    assert engine.status().chunks == seed_engine.status().chunks

    for question in (CHINA_QUESTION, "What is CPEC?", "Who won the 2018 World Cup?"):
        here, there = engine.query(question), seed_engine.query(question)
        assert (here.text, here.found, _cited(here)) == (there.text, there.found, _cited(there))
    assert [p.chunk_id for p in engine.search("critical minerals", k=8)] == [
        p.chunk_id for p in seed_engine.search("critical minerals", k=8)
    ]
    # Nothing of the index lives in the local folder but caches: no Chroma database there.
    assert not (tmp_path / "local" / "chroma.sqlite3").exists()


def test_processes_sharing_a_server_keep_keyword_search_in_step(chroma_url: str, tmp_path: Path):
    """A second process adds and then removes a file; this process's keyword index follows
    (the generation lives on the server), so a term only that file has is found, then gone."""
    collection = f"shared-{uuid.uuid4().hex[:8]}"
    reader = _server_engine(tmp_path / "reader", chroma_url, collection)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "base.md").write_text("The harbour master keeps a log of every ship that docks.\n")
    reader.ingest([docs])
    rare = "quillowort"
    assert all(rare not in p.text for p in reader.search(rare, k=3))

    (docs / "plant.md").write_text(f"The {rare} flowers only after a cold winter in the hills.\n")
    env = {**os.environ, "RAG_CHROMA_URL": chroma_url, "RAG_CHROMA_COLLECTION": collection}
    writer = [sys.executable, "-m", "rag.serve.cli", "ingest", "--quiet", "--index"]
    subprocess.run([*writer, str(tmp_path / "writer"), str(docs)], env=env, check=True)

    snapshot_ids = set(reader.retriever.snapshot().ids)
    assert snapshot_ids == set(reader.store._collection.get()["ids"])  # keyword side = Chroma side
    top = reader.search(rare, k=1)[0]
    assert rare in top.text and top.source.endswith("plant.md")

    (docs / "plant.md").unlink()
    subprocess.run([*writer, str(tmp_path / "writer"), str(docs)], env=env, check=True)
    assert all(rare not in p.text for p in reader.search(rare, k=3))
    assert [d.source for d in reader.documents()] == [str(docs / "base.md")]


def test_unreachable_server_is_a_clear_error(tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(rag.StoreError, match=r"cannot reach the Chroma server .*chroma run"):
        rag.RAG(index=tmp_path, chroma_url=url).status()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.serve.cli",
            "status",
            "--index",
            str(tmp_path),
            "--chroma-url",
            url,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "cannot reach the Chroma server" in result.stderr
    with pytest.raises(rag.StoreError, match="not a server address"):
        rag.RAG(index=tmp_path, chroma_url="127.0.0.1:8000").status()


def test_two_ui_processes_on_one_server_and_database_share_conversations(
    chroma_url: str, postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two `rag ui` processes with their own local folders, one Chroma server and one
    PostgreSQL database: a conversation started on one is listed, continued and read on the
    other, for the same account."""
    import httpx

    database = new_database(postgres_server)
    collection = f"shared-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("RAG_CHROMA_URL", chroma_url)
    monkeypatch.setenv("RAG_CHROMA_COLLECTION", collection)
    monkeypatch.setenv("RAG_DATABASE_URL", database)
    engine = rag.RAG(index=tmp_path / "first")
    assert engine.ingest([SEEDS]).ok
    chats = rag.Chats(engine)
    assert chats.store.url == database  # the database, not a local file
    chats.add_user("ann", "ann's long password", "reader")
    ann = {"Authorization": f"Bearer {chats.new_token('ann')}"}
    with (
        ui_server(tmp_path / "first") as first,
        ui_server(tmp_path / "second") as second,
        httpx.Client(timeout=60, headers=ann) as client,
    ):
        chat = client.post(f"{first}api/conversations", json={}).json()["id"]
        asked = client.post(
            f"{first}api/conversations/{chat}/ask", json={"question": CHINA_QUESTION}
        )
        assert asked.status_code == 200 and asked.json()["answer"]["found"]
        listed = client.get(f"{second}api/conversations").json()
        assert [(c["id"], c["title"]) for c in listed] == [(chat, CHINA_QUESTION)]
        follow = client.post(
            f"{second}api/conversations/{chat}/ask", json={"question": "And the US?"}
        ).json()
        assert follow["n"] == 2 and follow["answer"]["searched"] != "And the US?"
        turns = client.get(f"{first}api/conversations/{chat}").json()["turns"]
        assert [t["question"] for t in turns] == [CHINA_QUESTION, "And the US?"]
        assert httpx.get(f"{second}api/conversations").status_code == 401  # no token
    assert not (tmp_path / "first" / "conversations.sqlite3").exists()
