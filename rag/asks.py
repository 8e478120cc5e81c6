"""What a question asks for, and whether a sentence gives that kind of fact: a date for "when",
a quantity for "how many", a reason for "why", a name for "who". Used as one signal among the
sentence scores in answer.py: on long documents the sentence on the topic often outscored the
sentence holding the date or the number asked for."""

from __future__ import annotations

import re

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ASKS = {
    "date": re.compile(
        r"^\s*(?:when|what year|in what year|what date|on what date|since when)\b"
        r"|\bwhen (?:did|was|were|is|does|do|will)\b",
        re.I,
    ),
    "quantity": re.compile(
        r"\bhow (?:many|much|big|large|far|long|old|often|tall|high|deep|fast|small|heavy)\b"
        r"|\bwhat (?:percentage|share|number|proportion|amount|size)\b"
        # "What is the default size limit?", "What was the total cost?": a measure asked for.
        r"|^\s*what(?:'s| is| was| are| were)? (?:the |its |their |a )?(?:[\w-]+ ){0,2}"
        r"(?:size|limit|cost|price|length|duration|weight|height|depth|distance|population"
        r"|percentage|temperature|capacity|budget|speed|rate|age|lifespan|range)s?"
        r"(?=\s*(?:\?|$|of\b|for\b|in\b|on\b|at\b|per\b))",
        re.I,
    ),
    "reason": re.compile(r"\bwhy\b|\bwhat (?:caused|causes|led to)\b|\bfor what reason\b", re.I),
    "name": re.compile(
        r"^\s*who\b|\bwhich (?:official|person|people|company|companies|firm|agency"
        r"|organi[sz]ation|country|countries|state|states)\b",
        re.I,
    ),
}
_SHOWS = {
    "date": re.compile(
        rf"\b(?:1[5-9]\d\d|20\d\d)\b|\b(?:{_MONTHS})\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b"
    ),
    "quantity": re.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?"
        r"|hundreds?|thousands?|millions?|billions?|half|twice|several)\b",
        re.I,
    ),
    "reason": re.compile(
        r"\b(?:because|due to|since|as a result|therefore|thus|hence|so that|in order to"
        r"|reasons?|caused?|owing to|given that|as an offset|to (?:avoid|prevent|mitigate|reduce"
        r"|protect))\b",
        re.I,
    ),
    # A run of capitalised words after the sentence's first word ("... minister Khwaja Asif"),
    # or a title.
    "name": re.compile(
        r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)+"
        r"|\b(?:President|Minister|Secretary|Director|CEO|minister|president|secretary|director)\b"
    ),
}


# The verb of an opinion question's frame ("How does China view these deals?", "What did India
# say?", "How did the ISA respond to ...?") says what is asked, not what it is about: as a
# keyword it pulled in any sentence using the verb ("Washington ... viewing ... China's
# influence" over "Beijing is watching these deals carefully").
_FRAME_VERB = re.compile(
    r"^\s*(?:how|what)\s+(?:do|does|did|will|would|might|could)\b.*?\b("
    r"views?|viewed|see|sees|saw|regard(?:s|ed)?|perceive[sd]?|think|thinks|thought|feel|feels"
    r"|felt|react(?:s|ed)?|respond(?:s|ed)?|say|says|said)\b",
    re.I,
)


def frame_words(question: str) -> list[str]:
    """The words of `question` that frame what it asks (an opinion question's verb), which are
    not keywords for finding the answer."""
    found = _FRAME_VERB.search(question)
    return [found.group(1)] if found else []


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact `question` asks for (none for most "what" and "how" questions)."""
    return [kind for kind, pattern in _ASKS.items() if pattern.search(question)]


def gives(kinds: list[str], sentence: str) -> bool:
    """Whether `sentence` holds a fact of one of `kinds`."""
    return any(_SHOWS[kind].search(sentence) for kind in kinds)
