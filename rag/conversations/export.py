"""A conversation as Markdown (each answer's citations as numbered footnotes) or JSON, and rated
turns as regression questions in `bench/longform.py`'s format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

from ..types import ChatTurn, Conversation

_MARK = re.compile(r"\[(\d+)\]")


def to_markdown(conversation: Conversation) -> str:
    """Questions as headings, answers as text, every [n] a footnote naming the file, page and
    section and holding the quote."""
    when = dt.datetime.fromtimestamp(conversation.created).strftime("%Y-%m-%d %H:%M")
    lines = [f"# {_line(conversation.title) or 'Conversation'}", "", f"_Started {when}_", ""]
    for turn in conversation.turns:
        answer = turn.answer
        cited = {c.n: c for c in answer.citations}
        lines += [f"## {turn.n}. {_line(turn.question)}", ""]
        if answer.searched and answer.searched != answer.question:
            lines += [f"_Searched for: {_line(answer.searched)}_", ""]
        text = _footnoted(answer.text, turn.n, set(cited))
        lines += [text if answer.found else f"> {text}", ""]
        for citation in answer.citations:
            where = citation.source
            if citation.page is not None:
                where += f", page {citation.page}"
            if citation.section:
                where += f", {' > '.join(citation.section)}"
            quote = " ".join(citation.quote.split())
            lines.append(f"[^{turn.n}-{citation.n}]: {where}: “{quote}”")
        if answer.citations:
            lines.append("")
    return "\n".join(lines)


def to_json(conversation: Conversation) -> str:
    return json.dumps(dataclasses.asdict(conversation), ensure_ascii=False, indent=2)


def feedback_cases(rated: list[tuple[Conversation, ChatTurn]]) -> tuple[list[dict], list[dict]]:
    """(questions, open cases). A thumbs-up keeps its answer as the expected one: `support` holds
    its quotes, lead first (or `found` false for an approved "not in your documents"). A
    correction is the expected quote. A thumbs-down without one has no right answer yet: an open
    case to review, never a test."""
    questions, open_cases = [], []
    for conversation, turn in rated:
        answer = turn.answer
        base = {
            "q": turn.question,
            "conversation": conversation.id,
            "turn": turn.n,
            "comment": turn.comment,
        }
        doc = answer.citations[0].source if answer.citations else ""
        if turn.correction:
            questions.append(
                {
                    **base,
                    "found": True,
                    "support": [turn.correction],
                    "doc": doc,
                    "kind": "feedback",
                }
            )
        elif turn.rating > 0:
            quotes = [" ".join(c.quote.split()) for c in answer.citations] if answer.found else []
            questions.append(
                {**base, "found": answer.found, "support": quotes, "doc": doc, "kind": "feedback"}
            )
        else:
            open_cases.append({**base, "answer": answer.text, "found": answer.found})
    return questions, open_cases


def _footnoted(text: str, turn: int, cited: set[int]) -> str:
    """[n] as the footnote mark [^turn-n] (unique across the document), where n is cited."""
    return _MARK.sub(
        lambda m: f"[^{turn}-{m.group(1)}]" if int(m.group(1)) in cited else m.group(0), text
    )


def _line(text: str) -> str:
    return " ".join(text.split())
