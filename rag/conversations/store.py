"""`ChatStore`: users, API tokens, conversations, their turns and ratings, in one database.

Every conversation call names its owner and touches only that owner's rows: another owner's id
reads as not found, so ids cannot be probed."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import (
    Connection,
    Row,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from ..errors import InvalidInput, NotFound, StoreError
from ..types import Answer, ChatTurn, Conversation, User
from . import schema
from .codec import answer_from_json, answer_to_json
from .credentials import check_password, hash_password, new_token, token_digest

ROLES = ("reader", "editor", "admin")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_TITLE_CHARS = 80
MIN_PASSWORD = 8


class ChatStore:
    """The conversation database at `url` (any SQLAlchemy URL: `sqlite:///path`,
    `postgresql+psycopg://user@127.0.0.1/rag`). Tables are made on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _connect(url)
        # SQLite takes one writer at a time, and a writer that finds another makes SQLite's busy
        # handler sleep (up to 100 ms a try): within a process, writers queue on a lock instead,
        # which wakes the next one the moment the last commits.
        self._write_lock = threading.Lock() if self._engine.dialect.name == "sqlite" else None
        try:
            self._migrate()
        except OperationalError as exc:
            raise StoreError(
                f"the conversation database {_shown(url)} cannot be opened ({exc.orig}); check "
                "RAG_DATABASE_URL or RAG_STATE_DIR"
            ) from None

    @classmethod
    def in_folder(cls, folder: Path) -> ChatStore:
        """The default: an SQLite file `conversations.sqlite3` in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{(folder / 'conversations.sqlite3').resolve()}")

    def _migrate(self) -> None:
        schema.metadata.create_all(self._engine)
        with self._begin() as db:
            found = db.execute(select(schema.version.c.version)).scalar()
            if found is None:
                db.execute(insert(schema.version), dict(version=schema.SCHEMA_VERSION))
            elif found > schema.SCHEMA_VERSION:
                raise StoreError(
                    f"the conversation database {_shown(self.url)} was written by a newer rag "
                    f"(schema {found}, this one knows {schema.SCHEMA_VERSION}): upgrade rag"
                )

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A write transaction, committed on leaving (rolled back on an error)."""
        with self._write_lock or nullcontext(), self._engine.begin() as db:
            yield db

    def close(self) -> None:
        self._engine.dispose()

    def secret(self, name: str) -> str:
        """The random key `name` of this database, made on first use."""
        table = schema.secrets
        query = select(table.c.value).where(table.c.name == name)
        with self._engine.connect() as db:
            value = db.execute(query).scalar()
        if value is None:
            try:
                with self._begin() as db:
                    db.execute(insert(table), dict(name=name, value=secrets.token_hex(32)))
            except IntegrityError:
                pass  # another process made it first: use theirs
            with self._engine.connect() as db:
                value = db.execute(query).scalar_one()
        return value

    # Users and tokens

    def add_user(self, name: str, password: str, role: str = "reader") -> User:
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                f"user name {name!r}: use 1-64 letters, digits, and . _ @ - (starting with a "
                "letter or digit)"
            )
        _check_role(role)
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
        user = User(name, role, time.time())
        try:
            with self._begin() as db:
                db.execute(
                    insert(schema.users),
                    dict(
                        name=name, role=role, password=hash_password(password), created=user.created
                    ),
                )
        except IntegrityError:
            raise InvalidInput(f"user {name!r} exists already") from None
        return user

    def set_role(self, name: str, role: str) -> None:
        _check_role(role)
        self._change_user(name, role=role)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
        self._change_user(name, password=hash_password(password))

    def _change_user(self, name: str, **values: str) -> None:
        with self._begin() as db:
            changed = db.execute(
                update(schema.users).where(schema.users.c.name == name), values
            ).rowcount
        if not changed:
            raise NotFound(f"no user {name!r} (`rag users list` shows them)")

    def remove_user(self, name: str) -> None:
        """The user and their tokens; their conversations stay (an admin may still export them)."""
        with self._begin() as db:
            db.execute(delete(schema.tokens).where(schema.tokens.c.user == name))
            removed = db.execute(delete(schema.users).where(schema.users.c.name == name)).rowcount
        if not removed:
            raise NotFound(f"no user {name!r} (`rag users list` shows them)")

    def users(self) -> list[User]:
        with self._engine.connect() as db:
            rows = db.execute(
                select(schema.users.c.name, schema.users.c.role, schema.users.c.created).order_by(
                    schema.users.c.name
                )
            )
            return [User(*row) for row in rows]

    def user(self, name: str) -> User | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(schema.users.c.name, schema.users.c.role, schema.users.c.created).where(
                    schema.users.c.name == name
                )
            ).one_or_none()
        return User(*row) if row else None

    def has_users(self) -> bool:
        with self._engine.connect() as db:
            return bool(db.execute(select(exists().select_from(schema.users))).scalar())

    def login(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs; None otherwise (an unknown name too)."""
        with self._engine.connect() as db:
            row = db.execute(select(schema.users).where(schema.users.c.name == name)).one_or_none()
        if row is None or not check_password(password, row.password):
            return None
        return User(row.name, row.role, row.created)

    def new_token(self, name: str) -> str:
        """A new API token for user `name`, returned once; only its digest is kept."""
        token = new_token()
        try:
            with self._begin() as db:
                db.execute(
                    insert(schema.tokens),
                    dict(digest=token_digest(token), user=name, created=time.time()),
                )
        except IntegrityError:
            raise NotFound(f"no user {name!r} (`rag users list` shows them)") from None
        return token

    def token_user(self, token: str) -> User | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(schema.users.c.name, schema.users.c.role, schema.users.c.created)
                .join(schema.tokens, schema.tokens.c.user == schema.users.c.name)
                .where(schema.tokens.c.digest == token_digest(token))
            ).one_or_none()
        return User(*row) if row else None

    # Conversations

    def create(self, owner: str, title: str = "") -> Conversation:
        now = time.time()
        conversation = Conversation(uuid.uuid4().hex, owner, title.strip(), now, now)
        with self._begin() as db:
            db.execute(
                insert(schema.conversations),
                dict(
                    id=conversation.id,
                    owner=owner,
                    title=conversation.title,
                    created=now,
                    updated=now,
                ),
            )
        return conversation

    def conversations(
        self, owner: str | None, search: str = "", limit: int = 200
    ) -> list[Conversation]:
        """The owner's conversations, most recently continued first; with `search`, those whose
        title or questions hold every one of its words (any case). Owner None: every owner's
        (the operator's view, for the CLI; never for a request)."""
        c, t = schema.conversations.c, schema.turns.c
        count = (
            select(func.count()).where(t.conversation == c.id).correlate(schema.conversations)
        ).scalar_subquery()
        query = select(c.id, c.owner, c.title, c.created, c.updated, count)
        if owner is not None:
            query = query.where(c.owner == owner)
        for word in search.split():
            in_turns = exists().where(
                t.conversation == c.id, t.question.icontains(word, autoescape=True)
            )
            query = query.where(c.title.icontains(word, autoescape=True) | in_turns)
        query = query.order_by(c.updated.desc()).limit(limit)
        with self._engine.connect() as db:
            return [Conversation(*row[:5], turn_count=row[5]) for row in db.execute(query)]

    def conversation(self, owner: str, conversation_id: str) -> Conversation:
        """One conversation with its turns, oldest first."""
        with self._engine.connect() as db:
            row = self._owned(db, owner, conversation_id)
            turns = db.execute(
                select(schema.turns)
                .where(schema.turns.c.conversation == conversation_id)
                .order_by(schema.turns.c.n)
            )
            stored = [_turn(turn) for turn in turns]
        return Conversation(*row, turns=stored, turn_count=len(stored))

    def owner_of(self, conversation_id: str) -> str:
        """Who a conversation belongs to (for the operator's CLI)."""
        c = schema.conversations.c
        with self._engine.connect() as db:
            owner = db.execute(select(c.owner).where(c.id == conversation_id)).scalar()
        if owner is None:
            raise NotFound(f"no conversation {conversation_id!r} (`rag chats list` shows them)")
        return owner

    def history(self, owner: str, conversation_id: str) -> list[tuple[str, str]]:
        """(question, answer text) of each turn, oldest first: what a follow-up is read
        against, without decoding every stored answer."""
        t = schema.turns.c
        with self._engine.connect() as db:
            self._owned(db, owner, conversation_id)
            rows = db.execute(
                select(t.question, t.answer_text)
                .where(t.conversation == conversation_id)
                .order_by(t.n)
            )
            return [(question, text) for question, text in rows]

    def rename(self, owner: str, conversation_id: str, title: str) -> None:
        title = title.strip()
        if not title:
            raise InvalidInput("a conversation's title cannot be empty")
        with self._begin() as db:
            self._owned(db, owner, conversation_id)
            db.execute(
                update(schema.conversations).where(schema.conversations.c.id == conversation_id),
                {"title": title},
            )

    def delete(self, owner: str, conversation_id: str) -> None:
        with self._begin() as db:
            self._owned(db, owner, conversation_id)
            db.execute(delete(schema.turns).where(schema.turns.c.conversation == conversation_id))
            db.execute(
                delete(schema.conversations).where(schema.conversations.c.id == conversation_id)
            )

    def add_turn(
        self,
        owner: str,
        conversation_id: str,
        answer: Answer,
        hashes: dict[str, str] | None = None,
        timings: dict[str, float] | None = None,
    ) -> ChatTurn:
        """Append a question and its answer, committed before this returns; an untitled
        conversation takes the first question as its title."""
        now = time.time()
        with self._begin() as db:
            row = self._owned(db, owner, conversation_id)
            n = db.execute(
                select(func.coalesce(func.max(schema.turns.c.n), 0)).where(
                    schema.turns.c.conversation == conversation_id
                )
            ).scalar_one()
            turn = ChatTurn(n + 1, answer.question, answer, hashes or {}, timings or {}, now)
            db.execute(
                insert(schema.turns),
                dict(
                    conversation=conversation_id,
                    n=turn.n,
                    question=turn.question,
                    answer=answer_to_json(answer),
                    answer_text=answer.text,
                    hashes=json.dumps(turn.hashes),
                    timings=json.dumps(turn.timings),
                    created=now,
                    rating=0,
                    comment="",
                    correction="",
                ),
            )
            title = row.title or _title(answer.question)
            db.execute(
                update(schema.conversations).where(schema.conversations.c.id == conversation_id),
                {"updated": now, "title": title},
            )
        return turn

    def rate(
        self,
        owner: str,
        conversation_id: str,
        n: int,
        rating: int,
        comment: str = "",
        correction: str = "",
    ) -> None:
        """Thumbs up (1), down (-1) or cleared (0), with an optional comment and correction
        (the sentence of a document that does answer)."""
        if rating not in (-1, 0, 1):
            raise InvalidInput(f"rating must be 1 (up), -1 (down) or 0 (none), not {rating!r}")
        with self._begin() as db:
            self._owned(db, owner, conversation_id)
            changed = db.execute(
                update(schema.turns).where(
                    schema.turns.c.conversation == conversation_id, schema.turns.c.n == n
                ),
                {"rating": rating, "comment": comment.strip(), "correction": correction.strip()},
            ).rowcount
        if not changed:
            raise NotFound(f"conversation {conversation_id} has no turn {n}")

    def rated(self) -> list[tuple[Conversation, ChatTurn]]:
        """Every rated turn of every owner, oldest first: what `rag feedback export` reads."""
        c, t = schema.conversations.c, schema.turns.c
        query = (
            select(schema.turns, c.owner, c.title, c.created.label("started"), c.updated)
            .join(schema.conversations, c.id == t.conversation)
            .where(t.rating != 0)
            .order_by(t.created)
        )
        with self._engine.connect() as db:
            return [
                (Conversation(r.conversation, r.owner, r.title, r.started, r.updated), _turn(r))
                for r in db.execute(query)
            ]

    def _owned(self, db: Connection, owner: str, conversation_id: str) -> Row:
        c = schema.conversations.c
        row = db.execute(
            select(c.id, c.owner, c.title, c.created, c.updated).where(
                c.id == conversation_id, c.owner == owner
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"no conversation {conversation_id!r}")
        return row


def _connect(url: str) -> Engine:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(
            f"RAG_DATABASE_URL {_shown(url)} cannot be used ({exc}): give an SQLAlchemy URL "
            "such as postgresql+psycopg://user:password@127.0.0.1/rag"
        ) from None
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(connection: sqlite3.Connection, _record: object) -> None:
            cursor = connection.cursor()
            # WAL: readers never wait for a writer. NORMAL: a commit is in the WAL before the
            # answer is shown, so a killed process loses nothing it showed (tests/
            # test_chats_crash.py kills one 20 times); only a power cut can drop the last
            # commits, never corrupt, and no turn waits for an fsync (FULL's cost per turn).
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                "foreign_keys=ON",
                "busy_timeout=30000",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    return engine


def _turn(row: Row) -> ChatTurn:
    return ChatTurn(
        row.n,
        row.question,
        answer_from_json(row.answer),
        json.loads(row.hashes),
        json.loads(row.timings),
        row.created,
        row.rating,
        row.comment,
        row.correction,
    )


def _title(question: str) -> str:
    question = " ".join(question.split())
    return question if len(question) <= _TITLE_CHARS else question[: _TITLE_CHARS - 1] + "…"


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _shown(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
