"""Questions scoped to chosen documents: `sources=` in the API, `--in` on the CLI, `sources` in
the HTTP API. Both retrieval sides search inside the scope, so k passages come back from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import rag
from rag.serve.cli import main
from rag.serve.web_api import create_app

from .conftest import DOCS

QUESTION = "How long can swifts stay in the air without landing?"


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory) -> tuple[rag.RAG, Path]:
    root = tmp_path_factory.mktemp("scope")
    birds = root / "birds"
    (birds / "reports").mkdir(parents=True)
    (birds / "alpine.md").write_text(
        "Alpine swifts can stay in the air for 200 days without landing, a tracking study found.\n"
    )
    (birds / "reports" / "common.md").write_text(
        "Common swifts stay in the air for ten months without landing, coming down only to breed.\n"
    )
    (root / "nuclear.md").write_bytes((DOCS / "IF12672v12-russias-nuclear-weapons.md").read_bytes())
    engine = rag.RAG(index=root / "index")
    assert engine.ingest([birds, root / "nuclear.md"]).ok
    return engine, root


def test_a_scoped_question_cites_only_the_chosen_document(scoped: tuple[rag.RAG, Path]):
    engine, root = scoped
    both = engine.search(QUESTION, k=2)  # both documents answer it
    assert {Path(p.source).name for p in both} == {"alpine.md", "common.md"}
    alpine = engine.query(QUESTION, sources=[root / "birds" / "alpine.md"])
    assert alpine.found and "200 days" in alpine.text
    assert {Path(c.source).name for c in alpine.citations} == {"alpine.md"}
    for pattern in (
        root / "birds" / "reports",
        "*/reports/*.md",
        str(root / "birds/reports/common.md"),
    ):
        answer = engine.query(QUESTION, sources=[pattern])
        assert answer.found and "ten months" in answer.text
        assert {Path(c.source).name for c in answer.citations} == {"common.md"}, pattern


def test_k_passages_come_back_from_the_scope(scoped: tuple[rag.RAG, Path]):
    engine, root = scoped
    passages = engine.search(QUESTION, k=5, sources=[root / "nuclear.md"])
    assert len(passages) == 5 and {Path(p.source).name for p in passages} == {"nuclear.md"}


def test_abstention_still_works_inside_the_scope(scoped: tuple[rag.RAG, Path]):
    engine, root = scoped
    assert not engine.query(QUESTION, sources=[root / "nuclear.md"]).found


def test_a_scope_matching_nothing_is_a_clear_error(scoped: tuple[rag.RAG, Path]):
    engine, _root = scoped
    with pytest.raises(rag.InvalidInput, match="no indexed document matches"):
        engine.query(QUESTION, sources=["*.pptx"])
    with pytest.raises(rag.InvalidInput, match="no indexed document matches"):
        engine.search(QUESTION, sources=[])


def test_the_cli_and_http_api_take_a_scope(
    scoped: tuple[rag.RAG, Path], capsys: pytest.CaptureFixture[str]
):
    engine, root = scoped
    index = str(engine.settings.index_dir)
    assert main(["ask", QUESTION, "--index", index, "--in", "*alpine.md", "--json"]) == 0
    printed = capsys.readouterr().out
    assert "200 days" in printed and "common.md" not in printed
    assert main(["ask", QUESTION, "--index", index, "--in", "nowhere/*"]) == 2
    assert "no indexed document matches" in capsys.readouterr().err

    client = TestClient(create_app(engine))
    body = client.post("/api/query", json={"question": QUESTION, "sources": ["*/reports/*"]})
    assert {Path(c["source"]).name for c in body.json()["citations"]} == {"common.md"}
    refused = client.post("/api/query", json={"question": QUESTION, "sources": ["*.pptx"]})
    assert refused.status_code == 400 and "no indexed document" in refused.json()["detail"]
