"""`rag users`, `rag chats`, `rag feedback` and `rag eval` as a user types them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import rag
from rag.serve.cli import main

from .conftest import CHINA_QUESTION


def run(capsys: pytest.CaptureFixture, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """`rag ARGV...` with `stdin` as its input: (exit status, standard output, standard error)."""
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture):
    index = ["--index", str(tmp_path / "index")]
    pipe = "--password-stdin"
    assert run(capsys, "users", "add", "ann", *index, pipe, stdin="a long password\n")[0] == 0
    code, _out, err = run(capsys, "users", "add", "bob", *index, pipe, stdin="short\n")
    assert code == 2 and "at least 8 characters" in err
    code, _out, err = run(capsys, "users", "add", "ann", *index, pipe, stdin="a long password\n")
    assert code == 2 and "exists already" in err
    assert run(capsys, "users", "role", "ann", "editor", *index)[0] == 0
    assert run(capsys, "users", "list", *index)[1] == "ann\teditor\n"
    code, token, _err = run(capsys, "users", "token", "ann", *index)
    chats = rag.Chats(rag.RAG(index=tmp_path / "index"))
    assert code == 0 and chats.token_user(token.strip()).name == "ann"
    assert chats.login("ann", "a long password") is not None
    pipe_new = ("users", "password", "ann", *index, pipe)
    assert run(capsys, *pipe_new, stdin="another long one\n")[0] == 0
    assert chats.login("ann", "a long password") is None
    assert chats.login("ann", "another long one") is not None
    code, _out, err = run(capsys, "users", "remove", "nobody", *index)
    assert code == 2 and "no user 'nobody'" in err
    assert run(capsys, "users", "remove", "ann", *index)[0] == 0
    assert chats.users() == []


def test_conversations_export_and_feedback_from_the_command_line(
    seed_engine: rag.RAG,
    capsys: pytest.CaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    state = str(tmp_path / "state")
    engine = rag.RAG(index=seed_engine.settings.index_dir, state_dir=state)
    chats = rag.Chats(engine)
    chat = chats.start("user:ann")
    *_, turn = chats.converse("user:ann", chat.id, CHINA_QUESTION)
    chats.rate("user:ann", chat.id, 1, -1, "misses India")
    other = chats.start("browser:b1")
    *_, approved = chats.converse("browser:b1", other.id, "What did Pakistan offer the US?")
    chats.rate("browser:b1", other.id, 1, 1)
    index = ["--index", str(seed_engine.settings.index_dir)]
    monkeypatch.setenv("RAG_STATE_DIR", state)
    code, listed, _ = run(capsys, "chats", "list", *index)
    assert code == 0 and chat.id in listed and other.id in listed
    assert other.id not in run(capsys, "chats", "list", "--user", "ann", *index)[1]
    code, markdown, _ = run(capsys, "chats", "export", chat.id, *index)
    assert code == 0 and markdown.startswith(f"# {CHINA_QUESTION}")
    for citation in turn.answer.citations:
        assert f"[^1-{citation.n}]: {citation.source}" in markdown
        assert " ".join(citation.quote.split()) in markdown
    code, _out, err = run(capsys, "chats", "export", "no-such-id", *index)
    assert code == 2 and "no conversation" in err
    cases = tmp_path / "open.jsonl"
    code, exported, err = run(capsys, "feedback", "export", "--open", str(cases), *index)
    assert code == 0 and "1 rated questions, 1 open cases" in err
    (question,) = [json.loads(line) for line in exported.splitlines()]
    assert question["q"] == "What did Pakistan offer the US?" and question["found"] is True
    assert question["support"][0] == " ".join(approved.answer.citations[0].quote.split())
    (case,) = [json.loads(line) for line in cases.read_text().splitlines()]
    assert (case["q"], case["comment"]) == (CHINA_QUESTION, "misses India")


def test_eval_scores_an_index_on_a_questions_file(
    seed_engine: rag.RAG, capsys: pytest.CaptureFixture, tmp_path: Path
):
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"q": CHINA_QUESTION, "found": True, "support": ["Beijing is watching these deals"]},
        {"q": "How long do ducks live?", "found": False, "support": [], "kind": "off-topic"},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    index = ["--index", str(seed_engine.settings.index_dir)]
    code, out, _ = run(capsys, "eval", str(questions), "--json", *index)
    assert code == 0
    figures = json.loads(out)
    overall = figures["rows"][-1]
    assert overall["kind"] == "overall" and overall["questions"] == 2
    assert overall["support"] == 1.0 and overall["abstention"] == 1.0
    assert [r["abstention"] for r in figures["results"]] == [True, True]
    code, table, _ = run(capsys, "eval", str(questions), *index)
    assert table.splitlines()[0].split()[:4] == ["kind", "questions", "lead", "support"]
    assert "query p50" in table
    questions.write_text('{"q": "no found field"}\n')
    code, _out, err = run(capsys, "eval", str(questions), *index)
    assert code == 2 and "line 1" in err and '"found"' in err
