"""`Chats`: one engine's stored conversations, accounts and ratings, for the UI, the HTTP API and
the CLI alike. A conversation belongs to its owner ("user:NAME" with accounts, "browser:ID"
without); every call names the owner and sees only that owner's conversations."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .api import RAG, PathLike
from .conversations.export import feedback_cases, to_json, to_markdown
from .conversations.store import ROLES, ChatStore
from .errors import Forbidden, InvalidInput
from .index.records import FileRecord
from .settings import AnswerMode
from .types import Answer, ChatTurn, Conversation, Token, User


class Chats:
    """The conversation database of `engine` (`RAG_DATABASE_URL`, else `conversations.sqlite3`
    in `RAG_STATE_DIR`, else in the index folder), and answering within a conversation."""

    def __init__(self, engine: RAG, store: ChatStore | None = None) -> None:
        self.engine = engine
        settings = engine.settings
        if store is None:
            if settings.database_url:
                store = ChatStore(settings.database_url)
            else:
                store = ChatStore.in_folder(Path(settings.state_dir or settings.index_dir))
        self.store = store

    # Accounts

    @property
    def accounts(self) -> bool:
        """Whether a login is required: `RAG_UI_AUTH` is set or an account exists."""
        return bool(self.engine.settings.ui_auth) or self.store.has_users()

    def login(self, name: str, password: str) -> User | None:
        """The user `name` when `password` is theirs (the `RAG_UI_AUTH` login is an admin)."""
        configured = self.engine.settings.ui_auth
        if configured:
            user, _, secret = configured.partition(":")
            if hmac.compare_digest(name.encode(), user.encode()) & hmac.compare_digest(
                password.encode(), secret.encode()
            ):
                return User(user, "admin")
        return self.store.login(name, password)

    def token_user(self, token: str) -> User | None:
        return self.store.token_user(token)

    def user(self, name: str) -> User | None:
        """The account `name` (the `RAG_UI_AUTH` login is an admin); None if there is none."""
        configured = self.engine.settings.ui_auth.partition(":")[0]
        if configured and hmac.compare_digest(name.encode(), configured.encode()):
            return User(name, "admin")
        return self.store.user(name)

    def add_user(self, name: str, password: str, role: str = "reader") -> User:
        return self.store.add_user(name, password, role)

    def users(self) -> list[User]:
        return self.store.users()

    def remove_user(self, name: str) -> None:
        self.store.remove_user(name)

    def set_role(self, name: str, role: str) -> None:
        self.store.set_role(name, role)

    def set_password(self, name: str, password: str) -> None:
        self.store.set_password(name, password)

    def new_token(self, name: str) -> str:
        """A new API token for `name`, shown once (only its hash is kept)."""
        return self.store.new_token(name)

    def browser_secret(self) -> str:
        """The key the UI signs what it keeps in a browser with: one per database, so a restart
        or another process serving it still reads it."""
        return self.store.secret("browser-state")

    @staticmethod
    def require(user: User, role: str) -> None:
        """Forbidden unless `user`'s role is `role` or above (reader < editor < admin)."""
        if ROLES.index(user.role) < ROLES.index(role):
            raise Forbidden(f"{user.name} is a {user.role}: this needs the {role} role")

    # Conversations

    def converse(
        self,
        owner: str,
        conversation_id: str | None,
        question: str,
        mode: AnswerMode | None = None,
        k: int | None = None,
        sources: Sequence[PathLike] | None = None,
    ) -> Iterator[Token | ChatTurn]:
        """Answer `question` in a conversation (a new one when `conversation_id` is None), with
        its earlier turns as history: `Token`s as the answer is written, then the stored
        `ChatTurn`, committed before it is yielded."""
        if conversation_id is None:
            conversation_id = self.store.create(owner).id
        history = []
        for asked, said in self.store.history(owner, conversation_id):
            history += [{"role": "user", "content": asked}, {"role": "assistant", "content": said}]
        started = time.perf_counter()
        answer: Answer | None = None
        for event in self.engine.query_stream(question, history, k, mode, sources):
            if isinstance(event, Answer):
                answer = event
            else:
                yield event
        assert answer is not None
        timings = {"answer_s": round(time.perf_counter() - started, 4)}
        yield self.store.add_turn(owner, conversation_id, answer, self._hashes(answer), timings)

    def start(self, owner: str, title: str = "") -> Conversation:
        return self.store.create(owner, title)

    def conversations(self, owner: str | None, search: str = "") -> list[Conversation]:
        """`owner`'s conversations, newest first (None: every owner's, for the operator's CLI);
        `search` keeps those whose title or questions hold all its words."""
        return self.store.conversations(owner, search)

    def owner_of(self, conversation_id: str) -> str:
        return self.store.owner_of(conversation_id)

    def conversation(self, owner: str, conversation_id: str) -> Conversation:
        return self.store.conversation(owner, conversation_id)

    def rename(self, owner: str, conversation_id: str, title: str) -> None:
        self.store.rename(owner, conversation_id, title)

    def delete(self, owner: str, conversation_id: str) -> None:
        self.store.delete(owner, conversation_id)

    def rate(
        self,
        owner: str,
        conversation_id: str,
        n: int,
        rating: int,
        comment: str = "",
        correction: str = "",
    ) -> None:
        self.store.rate(owner, conversation_id, n, rating, comment, correction)

    def export(self, owner: str, conversation_id: str, form: str = "markdown") -> str:
        """The conversation as Markdown (citations as footnotes) or JSON."""
        if form not in ("markdown", "json"):
            raise InvalidInput(f"export format must be 'markdown' or 'json', not {form!r}")
        conversation = self.store.conversation(owner, conversation_id)
        return to_markdown(conversation) if form == "markdown" else to_json(conversation)

    def feedback(self) -> tuple[list[dict], list[dict]]:
        """Every owner's rated answers as (regression questions in `bench/longform.py`'s format,
        open cases: thumbs down with no correction yet)."""
        return feedback_cases(self.store.rated())

    def changed_sources(self, turn: ChatTurn) -> dict[str, str]:
        """The files `turn` cites that are no longer as they were when it was answered:
        {source: "changed" or "removed"}. Their citations' offsets may point elsewhere now."""
        current = {r.source: r.sha256 for r in self._records()}
        return {
            source: "removed" if source not in current else "changed"
            for source, digest in turn.hashes.items()
            if current.get(source) != digest
        }

    def _hashes(self, answer: Answer) -> dict[str, str]:
        cited = {c.source for c in answer.citations}
        return {r.source: r.sha256 for r in self._records() if r.source in cited}

    def _records(self) -> list[FileRecord]:
        store = self.engine.store
        store.refresh()
        return list(store.files.values())
