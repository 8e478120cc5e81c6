"""Stored conversations, accounts and ratings: the database as it is kept (real SQLite files),
owners kept apart, exports, and answering inside a conversation over a real index."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import rag
from rag.conversations.export import feedback_cases, to_json, to_markdown
from rag.conversations.store import ChatStore

from .conftest import CHINA_QUESTION, SEEDS, new_database


def answer(question: str = "What limits does the treaty set?", found: bool = True) -> rag.Answer:
    citation = rag.Citation(
        n=1,
        source="docs/treaty.md",
        page=3,
        start=100,
        end=180,
        text="Passage text. The treaty caps deployed warheads at 1,550.",
        quote="The treaty caps deployed warheads at 1,550.",
        quote_spans=((114, 157),),
        score=0.8,
        section=("Treaty", "Limits"),
    )
    return rag.Answer(
        question=question,
        text="The treaty caps deployed warheads at 1,550. [1]" if found else "Not covered.",
        found=found,
        citations=[citation] if found else [],
        searched=question,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChatStore]:
    """An empty store: an SQLite file, and (slow tier) a new database on a real PostgreSQL."""
    if request.param == "sqlite":
        opened = ChatStore.in_folder(tmp_path / "state")
    else:
        opened = ChatStore(new_database(request.getfixturevalue("postgres_server")))
    yield opened
    opened.close()


def test_a_turn_reads_back_exactly_after_reopening_the_database(tmp_path: Path):
    first = ChatStore.in_folder(tmp_path)
    chat = first.create("browser:a")
    stored = first.add_turn("browser:a", chat.id, answer(), {"docs/treaty.md": "ab12"}, {"s": 0.1})
    first.close()
    again = ChatStore.in_folder(tmp_path).conversation("browser:a", chat.id)
    assert again.turns == [stored]
    assert again.turns[0].answer == answer()  # tuples, sections and all
    assert again.title == "What limits does the treaty set?"  # the first question
    assert again.turns[0].hashes == {"docs/treaty.md": "ab12"}


def test_one_owner_never_reaches_anothers_conversation(store: ChatStore):
    mine = store.create("user:ann")
    store.add_turn("user:ann", mine.id, answer())
    for call in (
        lambda: store.conversation("user:bob", mine.id),
        lambda: store.rename("user:bob", mine.id, "taken"),
        lambda: store.delete("user:bob", mine.id),
        lambda: store.rate("user:bob", mine.id, 1, 1),
        lambda: store.add_turn("user:bob", mine.id, answer()),
    ):
        with pytest.raises(rag.NotFound):
            call()
    assert store.conversations("user:bob") == []
    assert [c.id for c in store.conversations("user:ann")] == [mine.id]
    assert store.conversation("user:ann", mine.id).title == "What limits does the treaty set?"


def test_the_list_is_newest_first_searchable_renamable_and_deletable(store: ChatStore):
    older, newer = store.create("o"), store.create("o")
    store.add_turn("o", older.id, answer("Who signed the minerals deal?"))
    store.add_turn("o", newer.id, answer("What limits does the treaty set?"))
    assert [c.id for c in store.conversations("o")] == [newer.id, older.id]
    store.add_turn("o", older.id, answer("And when was it signed?"))  # continued: now first
    listed = store.conversations("o")
    assert [(c.id, c.turn_count) for c in listed] == [(older.id, 2), (newer.id, 1)]
    assert [c.id for c in store.conversations("o", "WHEN signed")] == [older.id]  # any turn
    assert store.conversations("o", "signed 100%") == []  # every word, % taken literally
    store.rename("o", newer.id, "Treaty notes")
    assert [c.id for c in store.conversations("o", "notes")] == [newer.id]
    with pytest.raises(rag.InvalidInput):
        store.rename("o", newer.id, "  ")
    store.delete("o", newer.id)
    assert [c.id for c in store.conversations("o")] == [older.id]
    with pytest.raises(rag.NotFound):
        store.conversation("o", newer.id)


def test_passwords_and_tokens_are_kept_only_as_hashes(tmp_path: Path):
    store = ChatStore.in_folder(tmp_path)
    store.add_user("ann", "correct horse battery", "editor")
    token = store.new_token("ann")
    store.close()
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"correct horse battery" not in raw and token.encode() not in raw
    assert b"scrypt$" in raw  # the hash is there (WAL or main file)
    store = ChatStore.in_folder(tmp_path)
    user = store.login("ann", "correct horse battery")
    assert (user.name, user.role) == ("ann", "editor")
    assert store.login("ann", "correct horse batterY") is None
    assert store.login("nobody", "correct horse battery") is None
    assert store.token_user(token).name == "ann"
    assert store.token_user(token + "x") is None
    with pytest.raises(rag.InvalidInput, match="exists already"):
        store.add_user("ann", "another password", "reader")
    with pytest.raises(rag.InvalidInput, match="role"):
        store.add_user("bob", "a long password", "owner")
    with pytest.raises(rag.InvalidInput, match="8 characters"):
        store.add_user("bob", "short", "reader")
    store.remove_user("ann")
    assert store.token_user(token) is None and not store.has_users()


@pytest.mark.slow
def test_accounts_on_postgresql_keep_only_hashes(postgres_server: str):
    url = new_database(postgres_server)
    store = ChatStore(url)
    store.add_user("ann", "correct horse battery", "admin")
    token = store.new_token("ann")
    assert store.login("ann", "correct horse battery").role == "admin"
    assert store.login("ann", "wrong horse battery") is None
    assert store.token_user(token).name == "ann"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db:
        (password,) = db.execute("SELECT password FROM rag_users").fetchone()
        (digest,) = db.execute("SELECT digest FROM rag_tokens").fetchone()
    assert password.startswith("scrypt$") and "correct horse" not in password
    assert digest != token and len(digest) == 64
    store.close()


def test_a_database_from_a_newer_rag_is_refused_by_name(tmp_path: Path):
    ChatStore.in_folder(tmp_path).close()
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        db.execute("UPDATE rag_schema SET version = 99")
    with pytest.raises(rag.StoreError, match="newer rag"):
        ChatStore.in_folder(tmp_path)


def test_markdown_export_footnotes_each_citation_with_its_quote(store: ChatStore):
    chat = store.create("o")
    store.add_turn("o", chat.id, answer())
    store.add_turn("o", chat.id, answer("What is the capital of Mars?", found=False))
    engine_free = to_markdown(store.conversation("o", chat.id))
    assert "# What limits does the treaty set?" in engine_free
    assert "The treaty caps deployed warheads at 1,550. [^1-1]" in engine_free
    assert (
        "[^1-1]: docs/treaty.md, page 3, Treaty > Limits: “The treaty caps deployed warheads at "
        "1,550.”" in engine_free
    )
    assert "## 2. What is the capital of Mars?\n\n> Not covered." in engine_free
    exported = json.loads(to_json(store.conversation("o", chat.id)))
    assert [t["question"] for t in exported["turns"]] == [
        "What limits does the treaty set?",
        "What is the capital of Mars?",
    ]
    assert exported["turns"][0]["answer"]["citations"][0]["quote_spans"] == [[114, 157]]


def test_ratings_become_questions_and_a_bare_thumbs_down_an_open_case(store: ChatStore):
    chat = store.create("o")
    for question in ("Q up", "Q corrected", "Q down", "Q unrated"):
        store.add_turn("o", chat.id, answer(question))
    store.rate("o", chat.id, 1, 1)
    store.rate("o", chat.id, 2, -1, "wrong year", "The treaty entered into force in 2011.")
    store.rate("o", chat.id, 3, -1, "misses the point")
    with pytest.raises(rag.NotFound):
        store.rate("o", chat.id, 9, 1)
    with pytest.raises(rag.InvalidInput):
        store.rate("o", chat.id, 1, 5)
    questions, open_cases = feedback_cases(store.rated())
    assert [(q["q"], q["found"], q["support"]) for q in questions] == [
        ("Q up", True, ["The treaty caps deployed warheads at 1,550."]),
        ("Q corrected", True, ["The treaty entered into force in 2011."]),
    ]
    assert all(q["doc"] == "docs/treaty.md" and q["kind"] == "feedback" for q in questions)
    assert [(c["q"], c["comment"]) for c in open_cases] == [("Q down", "misses the point")]


def test_answering_in_a_conversation_keeps_history_and_flags_changed_files(tmp_path: Path):
    """Over a real index: the second question is a follow-up resolved from the stored first
    turn; each turn keeps the cited files' hashes, and a citation into a file changed or
    removed since is reported as such."""
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([folder])
    chats = rag.Chats(engine)
    events = list(chats.converse("browser:x", None, CHINA_QUESTION))
    first = events[-1]
    assert isinstance(first, rag.ChatTurn) and first.n == 1 and first.answer.found
    assert all(isinstance(e, rag.Token) for e in events[:-1])
    (chat,) = chats.conversations("browser:x")
    *_, second = chats.converse("browser:x", chat.id, "And how does the US see them?")
    assert second.n == 2 and second.answer.searched != second.answer.question  # a follow-up
    stored = chats.conversation("browser:x", chat.id)
    assert [t.question for t in stored.turns] == [CHINA_QUESTION, "And how does the US see them?"]
    cited = {c.source for c in first.answer.citations}
    assert set(first.hashes) == cited and all(len(h) == 64 for h in first.hashes.values())
    assert chats.changed_sources(stored.turns[0]) == {}
    source = first.answer.citations[0].source
    path = Path(source)
    path.write_text(path.read_text(encoding="utf-8") + "\nA line added later.\n", "utf-8")
    engine.ingest([folder])
    assert chats.changed_sources(stored.turns[0])[source] == "changed"
    path.unlink()
    engine.ingest([folder])
    assert chats.changed_sources(stored.turns[0])[source] == "removed"
    assert rag.Chats(engine).conversation("browser:x", chat.id).turns == stored.turns
    assert chats.conversations("browser:y") == []


def test_a_citation_into_a_changed_file_says_so_instead_of_highlighting():
    from rag.ui.render import render_sources

    shown = render_sources(answer(), 0, lambda source: "id1")
    assert "<mark>" in shown and "open in document" in shown and "rag-stale" not in shown
    for change in ("changed", "removed"):
        stale = render_sources(answer(), 0, lambda source: "id1", {"docs/treaty.md": change})
        assert f"This file was {change} since this answer" in stale
        assert "<mark>" not in stale and "open in document" not in stale
        assert "The treaty caps deployed warheads at 1,550." in stale  # the text as quoted
