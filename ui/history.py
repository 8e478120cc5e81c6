"""Stored conversations as the chat shows them: messages, sources panel, the list's labels and
export files. Pure functions of what `rag.Chats` returns, so a reload shows what was shown."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from rag import Chats, Conversation

from .render import render_answer, render_sources

# Export files are written here for the browser to download, one pair per conversation, and
# rewritten whenever it changes.
_EXPORTS = Path(tempfile.mkdtemp(prefix="rag-exports-"))


def restored(
    conversation: Conversation, chats: Chats, file_id: Callable[[str], str | None]
) -> tuple[list[dict], list[str]]:
    """The chat messages and the sources panel (newest answer first) of a stored conversation;
    citations into files changed or removed since say so."""
    messages, panel = [], []
    for turn in conversation.turns:
        index = turn.n - 1
        messages += [
            {"role": "user", "content": turn.question},
            {"role": "assistant", "content": render_answer(turn.answer, index)},
        ]
        changed = chats.changed_sources(turn)
        panel.insert(0, render_sources(turn.answer, index, file_id, changed))
    return messages, panel


def label(conversation: Conversation) -> str:
    when = dt.datetime.fromtimestamp(conversation.updated).strftime("%d %b %H:%M")
    title = conversation.title or "New conversation"
    return f"{title} · {when}"


def export_files(chats: Chats, owner: str, conversation_id: str) -> tuple[Path, Path]:
    """The conversation written as Markdown and JSON files, for the download buttons."""
    paths = []
    for form, suffix in (("markdown", "md"), ("json", "json")):
        path = _EXPORTS / f"conversation-{conversation_id}.{suffix}"
        path.write_text(chats.export(owner, conversation_id, form), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]
