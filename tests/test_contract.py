"""The public contract: settings checked in one place, one error root, one engine answering in
either mode per call, and the seams (file formats, chat models) a contributor extends."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import rag
from rag.answer.generate import answer_order
from rag.ingestion import formats
from rag.serve.web_api import create_app
from rag.settings import Settings

from .conftest import CHINA_QUESTION, ROOT


class ScriptedModel:
    """A chat model that replies with a fixed text: the generation logic's unit tests need its
    exact words (a real model runs in test_generate.py)."""

    name = "scripted"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.asked: list[list[dict[str, str]]] = []

    def stream(
        self, messages: list[dict[str, str]], max_tokens: int | None = None
    ) -> Iterator[str]:
        self.asked.append(messages)
        yield from re.findall(r"\S+\s*", self.reply)


def test_paths_given_as_strings_work_like_paths(tmp_path: Path):
    """Keyword overrides went around the conversion from_env makes: RAG(index_dir="x").status()
    raised AttributeError ('str' object has no attribute 'mkdir'), as did an upload."""
    engine = rag.RAG(index_dir=str(tmp_path / "index"), upload_dir=str(tmp_path / "uploads"))
    assert engine.settings.index_dir == tmp_path / "index"
    assert engine.status().documents == 0
    note = tmp_path / "note.txt"
    note.write_text("Gwadar is a deep-sea port on the Arabian Sea coast of Pakistan.\n")
    report = engine.add_upload("note.txt", note)
    assert report.added and (tmp_path / "uploads" / "note.txt").is_file()


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"chunk_size": 100, "chunk_overlap": 100}, "RAG_CHUNK_SIZE"),
        ({"answer_mode": "poetry"}, "RAG_ANSWER_MODE"),
        ({"embed_precision": "int4"}, "RAG_EMBED_PRECISION"),
        ({"top_k": 0}, "RAG_TOP_K"),
        ({"top_k": 2.5}, "RAG_TOP_K"),
        ({"dense_weight": 1.5}, "RAG_DENSE_WEIGHT"),
        ({"min_score": -0.1}, "RAG_MIN_SCORE"),
        ({"expand_acronyms": "no"}, "RAG_EXPAND_ACRONYMS"),
        ({"ui_auth": "nocolon"}, "RAG_UI_AUTH"),
        ({"index_dir": 3}, "RAG_INDEX_DIR"),
    ],
)
def test_bad_settings_fail_at_once_naming_the_variable(overrides: dict, named: str):
    with pytest.raises(rag.SettingsError, match=named):
        Settings(**overrides)
    where = {} if "index_dir" in overrides else {"index": "unused"}
    with pytest.raises(rag.SettingsError, match=named):
        rag.RAG(**where, **overrides)


def test_unknown_settings_and_bad_environment_are_refused(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(rag.SettingsError, match="chunk_sise"):
        rag.RAG(index="unused", chunk_sise=500)
    monkeypatch.setenv("RAG_TOP_K", "five")
    with pytest.raises(rag.SettingsError, match="RAG_TOP_K='five'"):
        Settings.from_env()


def test_every_setting_is_documented_with_its_default():
    table = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(RAG_\w+)` \| (`[^`]*`|—) \|", table, re.M))
    for f in fields(Settings):
        name = f"RAG_{f.name.upper()}"
        assert name in rows, f"{name} is missing from docs/settings.md"
        documented = rows[name].strip("`").replace("—", "")
        assert documented == str(f.default), f"{name}: documented default {rows[name]!r}"
    assert set(rows) == {f"RAG_{f.name.upper()}" for f in fields(Settings)}


def test_every_error_derives_from_rag_error():
    for error in (
        rag.InvalidInput,
        rag.SettingsError,
        rag.LoadError,
        rag.StoreError,
        rag.ModelError,
        rag.LLMError,
    ):
        assert issubclass(error, rag.RagError)
    assert issubclass(rag.InvalidInput, ValueError) and issubclass(rag.SettingsError, ValueError)


def test_bad_arguments_raise_invalid_input(seed_engine: rag.RAG):
    for call in (
        lambda: seed_engine.query("  "),
        lambda: seed_engine.query(CHINA_QUESTION, k=0),
        lambda: seed_engine.search(CHINA_QUESTION, k=0),
        lambda: seed_engine.query(CHINA_QUESTION, mode="poetry"),
    ):
        with pytest.raises(rag.InvalidInput):
            call()


def test_cli_reports_a_bad_setting_in_one_line(tmp_path: Path):
    env = {**os.environ, "RAG_CHUNK_OVERLAP": "900", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "rag.serve.cli", "status", "--index", str(tmp_path / "i")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("rag: error: RAG_CHUNK_SIZE") and "Traceback" not in done.stderr


def _supported_claim(engine: rag.RAG) -> str:
    """A sentence of the passages a generative answer to the China question sees, cited by its
    number there (the extractive answer's passages come first), as a model that answers well
    would write it."""
    quotes = engine.query(CHINA_QUESTION)
    claim = " ".join(quotes.citations[0].quote.split())
    passages = answer_order(engine.search(CHINA_QUESTION, k=engine.settings.top_k), quotes)
    n = 1 + next(i for i, p in enumerate(passages) if claim in " ".join(p.text.split()))
    return f"{claim} [{n}]"


def test_one_engine_answers_in_either_mode_per_call(seed_engine: rag.RAG):
    quotes = seed_engine.query(CHINA_QUESTION)
    claim = _supported_claim(seed_engine)
    model = ScriptedModel(f"{claim} Also the moon is made of cheese [2].")
    engine = rag.RAG(index=seed_engine.settings.index_dir, llm=model)
    events = list(engine.query_stream(CHINA_QUESTION, mode="generative"))
    *tokens, answer = events
    assert all(isinstance(t, rag.Token) for t in tokens) and len(tokens) > 3
    assert isinstance(answer, rag.Answer) and answer.mode == "generative"
    assert "".join(t.text for t in tokens).startswith(claim.split()[0])
    assert answer.unsupported == ["Also the moon is made of cheese."]
    assert answer.citations and claim.split()[-2] in answer.citations[0].quote
    # The passages reach the model fenced as data, the question after them.
    prompt = model.asked[-1][-1]["content"]
    assert '<passage n="1">' in prompt and prompt.rstrip().endswith("[n] citations:")
    # The same engine still quotes when asked to, without calling the model.
    again = engine.query(CHINA_QUESTION, mode="extractive")
    assert again.mode == "extractive" and again.text == quotes.text and len(model.asked) == 1


def test_http_api_serves_both_modes_from_one_engine(seed_engine: rag.RAG):
    quotes_only = TestClient(create_app(rag.RAG(index=seed_engine.settings.index_dir)))
    refused = quotes_only.post("/api/query", json={"question": "x", "mode": "generative"})
    assert refused.status_code == 400 and "--llm-url" in refused.json()["detail"]
    assert quotes_only.get("/api/status").json()["generative"] is False

    claim = _supported_claim(seed_engine)
    engine = rag.RAG(index=seed_engine.settings.index_dir, llm=ScriptedModel(claim))
    client = TestClient(create_app(engine))
    body = client.post("/api/query", json={"question": CHINA_QUESTION, "mode": "generative"})
    assert body.status_code == 200 and body.json()["mode"] == "generative"
    assert client.get("/api/status").json()["generative"] is True
    blank = client.post("/api/query", json={"question": "   "})
    assert blank.status_code == 400 and "empty" in blank.json()["detail"]


def test_a_new_format_is_one_registry_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """docs/architecture.md's example: `.log` files read as plain text."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "deploy.log").write_text(
        "2026-11-02 10:14 The nightly deploy failed because the signing key had expired.\n"
    )
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([folder]).skipped  # not a format yet: skipped, not indexed

    monkeypatch.setitem(formats.FORMATS, ".log", formats.Format(formats.text.read))
    report = engine.ingest([folder])
    assert report.added == [str(folder / "deploy.log")] and not report.skipped
    answer = engine.query("Why did the nightly deploy fail?")
    assert answer.found and "signing key had expired" in answer.text
    assert answer.citations[0].source.endswith("deploy.log")


def test_the_module_level_api_reuses_one_engine_and_follows_the_index(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "terns.md").write_text("Arctic terns migrate from pole to pole every year.")
    index = tmp_path / "index"
    rag.ingest([folder], index=index)
    assert "terns" in rag.search("terns", k=1, index=index)[0].text
    engine = rag.shortcuts._engine(index)
    assert rag.shortcuts._engine(str(index)) is engine  # opened once per process, however spelled
    # Another writer changes the index: the kept engine answers from the new state.
    (folder / "kites.md").write_text("Kites fly best in a steady wind.")
    rag.RAG(index=index).ingest([folder])
    assert "steady wind" in rag.query("When do kites fly best?", index=index).text
