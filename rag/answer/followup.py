"""Follow-up questions to standalone ones, without a language model.

"How does China see them?" after "What deals did Pakistan make with the US?" cannot be searched
on its own; we add the earlier question's content words so retrieval sees what "them" means."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# A history turn: a plain string is a user turn; a mapping follows the chat-message convention
# {"role": "user" | "assistant", "content": "..."} used by Gradio and OpenAI-style clients.
Turn = str | Mapping[str, object]

_WORD = re.compile(r"[\w'’-]+")
_REFERRING = frozenset(
    "it its they them their theirs these those this that he him his she her hers there such "
    "above same former latter".split()
)
_STOPWORDS = (
    frozenset(
        "a an the and or but of to in on at for with by from about as is are was were be been being "
        "do does did what which who whom whose when where why how can could should would will shall "
        "may might must has have had i you we me my your our us not no yes so than then also just "
        "more most very any some all each tell explain describe please".split()
    )
    | _REFERRING
)
# A question with this few content words is too thin to search alone.
_MIN_CONTENT_WORDS = 2


def user_turns(history: Sequence[Turn]) -> list[str]:
    """The user's earlier questions, oldest first."""
    turns: list[str] = []
    for turn in history:
        if isinstance(turn, str):
            turns.append(turn)
        elif turn.get("role") == "user":
            turns.append(_text_of(turn.get("content")))
    return [t for t in turns if t.strip()]


def _text_of(content: object) -> str:
    """A message's text: a plain string, or the text parts of a multimodal content list
    ([{"type": "text", "text": ...}], as Gradio 5+ and OpenAI-style clients send)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return ""


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """`question` itself, or, for a follow-up, `question` plus the content words of the last user
    question that it does not already contain."""
    earlier = user_turns(history)
    if not earlier:
        return question
    words = [w.lower() for w in _WORD.findall(question)]
    content = [w for w in words if w not in _STOPWORDS]
    if not (_REFERRING & set(words)) and len(content) >= _MIN_CONTENT_WORDS:
        return question
    previous = earlier[-1]
    extra = [
        w
        for w in _WORD.findall(previous)
        if w.lower() not in _STOPWORDS and w.lower() not in content
    ]
    return f"{question} ({' '.join(extra)})" if extra else question
