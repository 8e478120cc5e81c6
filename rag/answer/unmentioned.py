"""Names a question asks about that no document mentions: "How high is the tide at the Bay of
Fundy?" over documents that never say "Fundy" is not answered by what they say of bays, however
close it is (docs/answers.md, "A name no document mentions")."""

from __future__ import annotations

import re

from ..index.keyword_index import LexicalIndex
from ..text.keywords import ENGLISH, bases, tokenize
from ..types import Passage

# A capitalised word after the question's first: a name ("Fundy", "Becker's"). Acronyms
# ("UMC", "UMC's") are left out: documents often write them out ("the United Methodist Church").
_NAME = re.compile(r"(?<=[\w,;:)\"'’] )(?![A-Z]+(?:['’]s)?\b)[A-Z][\w'’-]*")
# The shortest part of a name read as two words run together ("Superbowl", "UserDatagram").
_PART = 3


def unmentioned_names(
    question: str, language: str, passages: list[Passage], lexical: LexicalIndex
) -> list[str]:
    """The names in an English `question` (read as `language`, over English `passages`) of which
    no chunk of the index holds any word, in any form or a near spelling. Other languages are not
    read so: German capitalises every noun (96 of XQuAD's 1,190 German questions name a word its
    paragraphs lack, against 1 English), Spanish lost two of XQuAD's 200 answers
    (docs/benchmarks.md), and an English question over German documents names "Germany" as
    "Deutschland"."""
    if language != ENGLISH or any(p.language not in (ENGLISH, "") for p in passages):
        return []
    return [name for name in _NAME.findall(question) if not _mentioned(name, lexical)]


def _mentioned(name: str, lexical: LexicalIndex) -> bool:
    """Whether the index holds a word of `name`, in any form or a near spelling, or both halves
    of it as two words run together ("Superbowl" for "Super Bowl")."""
    tokens = tokenize(name, ENGLISH)
    if not tokens or any(_known(token, lexical) for token in tokens):
        return True
    word = name.lower()
    halves = (
        tokenize(f"{word[:i]} {word[i:]}", ENGLISH) for i in range(_PART, len(word) - _PART + 1)
    )
    return any(len(both) == 2 and all(_held(t, lexical) for t in both) for both in halves)


def _known(token: str, lexical: LexicalIndex) -> bool:
    """Whether the index holds `token`, its base or a word spelled nearly like it."""
    return _held(token, lexical) or lexical.spelled_like(token)


def _held(token: str, lexical: LexicalIndex) -> bool:
    """Whether the index holds `token` or its base (`keywords.bases`)."""
    return lexical.known(token) or any(lexical.known(b) for b in bases(token))
