"""The sentences of retrieved passages that an answer may quote: statements, told apart from
headings, code, references and fragments, each with the heading it stands under."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import regex

from ..text.chunking import FENCE, STAMPED, TABLE_ROW, footnote_mark, sentence_spans
from ..text.languages import UNSPACED
from ..text.references import MARKDOWN_LINK, URL_WORD, is_reference
from ..types import Passage

# Headings, captions and table-of-contents lines say too little to stand as an answer: a candidate
# must end like a sentence (or on a colon, as a list's lead-in does), or be long enough to be one
# that lost its full stop and not capitalise most of its longer words as titles do ("Ratification
# of the United Nations Convention on the Law of the Sea" is 12 words).
_SENTENCE_END = tuple(".!?\"'”’)。！｡」』）।॥۔:")
_MIN_UNPUNCTUATED_WORDS = 12
_TITLE_WORD_LETTERS = 4
_TITLE_CASE_SHARE = 0.7
# Markup that is not part of what a sentence says: a list item's bullet or number is left out
# of the quote ("- Reads each pair" quotes "Reads each pair").
_BULLET = re.compile(r"(?:[-*•+]|\d{1,3}[.)])\s+")
# Statements have at least this many words (links count as their label, URLs not at all): no
# answering sentence in longform-dev, the project's other-genre set or NQ dev had fewer, while
# code calls, option names and link lists often do.
_MIN_STATEMENT_WORDS = 4
# ... or three, after a label ("**Referee:** Karen Whitlow.", "Tenant: Ann Price."): a form's or
# a record's field says who or what in fewer words than a sentence.
_LABELLED = regex.compile(r"(?:\*\*|__)?\p{L}[\p{L} ]{0,30}:(?:\*\*|__)?[ \t]+\S")
# A figure with what it counts is a word too: an FAQ answers "Loans last 21 days."
_FIGURE = regex.compile(r"(?<![\w.,])\d[\d,.]*\s+(?=\p{L})")
_PROMPT = ("$ ", ">>> ", "... ")  # a shell or Python prompt: a line of code, not a statement
# A question, in bold too ("**Can I sell part of a cargo?**", an FAQ written inline).
QUESTION_END = re.compile(r"[?？؟][\"'”’)\]」』）*_]*$")
# A word of two letters or more in any script (with its combining marks: vowel signs, diacritics).
WORD = regex.compile(r"(?:\p{L}\p{M}*){2,}")
# A line of at most this many words that does not end like a sentence heads what follows it.
_HEADING_WORDS = 10
_CLAUSE_END = tuple(".!?;,\"'”’。！？，；、।॥؟۔")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the retrieved passages, as a candidate for quoting."""

    passage: int  # index into the retrieved passages
    start: int  # absolute offsets in the source's extracted text
    end: int
    text: str
    stored_start: int  # where the stored sentence vector's span starts (before a bullet)
    heading: str = ""  # the heading line above it in its passage, if any
    # A title that counts as a statement ("Lonely Boy (Andrew Gold song)" ends on a bracket): it
    # may say which document answers, but `extractive.compose` quotes the sentences close to it.
    title: bool = False


def in_context(sentence: Sentence, passages: list[Passage]) -> str:
    """`sentence` under its heading, as its keywords are counted: a sentence under "forbid_dtd
    (default: False)" is about forbid_dtd, and "Loans last 21 days." under "How long is an
    e-book loan?" about e-books, though neither repeats the name."""
    heading = heading_of(sentence, passages[sentence.passage])
    return f"{heading}\n{sentence.text}" if heading else sentence.text


def whole_lines(sentence: Sentence, passages: list[Passage]) -> bool:
    """Whether `sentence` is whole lines of its passage and not a heading: a CV's entry ("Data
    engineer, Parcel & Co.\nJune 2018 – February 2022"), a table row; not a title ("World War
    II", "## The canal today") nor a sentence that its passage's end cuts off."""
    passage = passages[sentence.passage]
    at, end = sentence.start - passage.start, sentence.end - passage.start
    ends_line = passage.text[end:].lstrip(" \t").startswith("\n")
    return ends_line and not _is_heading(sentence.text, _line_at(passage.text, at))


def _line_at(text: str, at: int, end: int | None = None) -> str:
    """The whole line of `text` holding offset `at` (through `end`, where a span runs on)."""
    line_end = text.find("\n", at if end is None else end)
    return text[text.rfind("\n", 0, at) + 1 : len(text) if line_end < 0 else line_end]


def without_footnote_mark(sentence: Sentence) -> Sentence:
    """`sentence` as quoted: without a footnote number glued to its final stop (PDF text's
    "... minerals.166"), its span ending before it. The number stays in the chunk's text."""
    cut = footnote_mark(sentence.text)
    if cut == len(sentence.text):
        return sentence
    return replace(sentence, text=sentence.text[:cut], end=sentence.end - len(sentence.text) + cut)


def sentence_before(sentence: Sentence, passages: list[Passage]) -> str:
    """The sentence right before `sentence` in its passage, or "" when it is the first."""
    passage = passages[sentence.passage]
    previous = [span for span in _spans(passage.text) if span[1] <= sentence.stored_start]
    return passage.text[previous[-1][0] : previous[-1][1]] if previous else ""


@lru_cache(maxsize=256)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """The sentences of `text` as answers read them: a markdown table's rows one to a sentence.
    The chunker keeps a run of long rows as one span (they end in no stop), which quoted a
    timetable's events several at once; its chunks, and the vectors stored for them, stay."""
    spans = []
    for start, end in sentence_spans(text):
        lines = text[start:end].split("\n")
        if len(lines) < 2 or not all(TABLE_ROW.match(line) for line in lines):
            spans.append((start, end))
            continue
        at = start
        for line in lines:
            lead = len(line) - len(line.lstrip())
            spans.append((at + lead, at + len(line.rstrip())))
            at += len(line) + 1
    return tuple(spans)


def heading_of(sentence: Sentence, passage: Passage) -> str:
    """The heading `sentence` stands under: the one above it in its passage, else its section's."""
    return sentence.heading or next(iter(passage.section_at(sentence.start)[-1:]), "")


def candidate_sentences(
    passages: list[Passage], statements_only: bool = False, everything: bool = False
) -> list[Sentence]:
    """Sentences of the passages, each once even where overlapping chunks repeat it: the
    statements, or when there are none (and `statements_only` is not set) the rest; with
    `everything`, every sentence but references and code."""
    seen: set[tuple[str, int, int]] = set()
    found: list[Sentence] = []
    short: list[Sentence] = []
    marked: list[Sentence] = []  # references and code
    for index, passage in enumerate(passages):
        text = passage.text
        heading = ""
        for stored_start, end in _spans(text):
            start = stored_start
            bullet = _BULLET.match(text, start, end)
            if bullet:
                start = bullet.end()
            line = _line_at(text, start, end)
            span = (passage.source, passage.start + start, passage.start + end)
            sentence = Sentence(index, span[1], span[2], text[start:end], stored_start, heading)
            # A numbered line can head what follows ("2. ACCOMMODATION"); a bulleted one not.
            numbered = bullet is not None and bullet.group()[0].isdigit()
            heads = (not bullet or numbered) and _is_heading(text[stored_start:end], line)
            if heads:
                heading = sentence.text.lstrip("#").strip()
            if span in seen:
                continue
            seen.add(span)
            # Text inside a markdown code fence is code, quoted only when no statement is found.
            in_code = (passage.opens_in_code + text.count(FENCE, 0, start)) % 2 == 1
            if is_reference(sentence.text, line) or in_code:
                marked.append(sentence)
            elif is_statement(sentence.text):
                # A line ending on a colon announces the list below it, and is quoted with an
                # item; above anything else ("kestrel_van wrote (3 March 2026, 21:14):" over a
                # forum post) it only heads what follows, as a title does.
                titled = heads and not (is_lead_in(sentence.text) and _items_follow(text, end))
                found.append(replace(sentence, title=True) if titled else sentence)
            else:
                short.append(sentence)
    if everything:
        return found + short
    return found if found or statements_only else short + marked


def _items_follow(text: str, end: int) -> bool:
    """Whether the line after offset `end` of `text` is a list item, or `text` ends there (what
    follows is unknown)."""
    rest = text[end:].lstrip()
    return not rest or bool(_BULLET.match(rest))


def is_lead_in(text: str) -> bool:
    """Whether a sentence ends on a colon, announcing what follows it ("By default, it will:")."""
    return text.rstrip().endswith(":")


def list_items(lead_in: Sentence, passages: list[Passage]) -> list[Sentence]:
    """The sentences of the bulleted or numbered lines right below `lead_in` in its passage (an
    item's later sentences too), up to the first line that is not an item."""
    passage = passages[lead_in.passage]
    below = [
        s
        for s in candidate_sentences(passages, everything=True)
        if s.passage == lead_in.passage and s.start >= lead_in.end
    ]
    items = []
    # In the order of the text: candidates come statements first, and a short item ("debt: 9%")
    # after the statement that ends its list.
    for s in sorted(below, key=lambda s: s.start):
        at = s.start - passage.start
        line = passage.text[passage.text.rfind("\n", 0, at) + 1 :]
        if not _BULLET.match(line.lstrip()):
            break
        items.append(s)
    return items


def is_item(sentence: Sentence, lead_in: Sentence, passages: list[Passage]) -> bool:
    """Whether `sentence` is one of the list items below `lead_in` (`list_items`)."""
    return any(
        (s.passage, s.start) == (sentence.passage, sentence.start)
        for s in list_items(lead_in, passages)
    )


def _is_heading(sentence: str, line: str) -> bool:
    """Whether `sentence` is a heading or a definition list's term: the whole of its line, short,
    and not ending like a sentence (a markdown heading always is one)."""
    if sentence.startswith("#"):
        return True
    words = sentence.split()
    return (
        sentence.strip() == line.strip()
        and 0 < len(words) <= _HEADING_WORDS
        and not sentence.rstrip().endswith(_CLAUSE_END)
        and not line.lstrip().startswith("|")
    )


def is_statement(text: str) -> bool:
    if text.startswith(("#", *_PROMPT)) or QUESTION_END.search(text):
        return False  # a heading, code, or a question (which asks, not answers)
    text = MARKDOWN_LINK.sub(r"\1", text).strip()
    seen = URL_WORD.sub(" ", text)
    counted = _word_count(seen) + len(_FIGURE.findall(seen))
    if counted < _MIN_STATEMENT_WORDS - (_LABELLED.match(text) is not None):
        return False
    # A chat's message says what it says without a full stop ("... Car is me, Maya, Tom and Priya").
    if text.endswith(_SENTENCE_END) or STAMPED.match(text):
        return True
    # A table's row states its record ("| 13:00 | Duck race | Brook below the mill |") where it
    # holds a figure or a cell of a clause's length; a header row ("| Week | Lecture topic |") not.
    if TABLE_ROW.match(text):
        cells = [cell.split() for cell in text.strip().strip("|").split("|")]
        return any(ch.isdigit() for ch in text) or any(
            len(c) >= _MIN_STATEMENT_WORDS for c in cells
        )
    words = text.split()
    long_words = [w for w in words if len(w) >= _TITLE_WORD_LETTERS and w[0].isalpha()]
    capitalised = sum(w[0].isupper() for w in long_words)
    title_case = bool(long_words) and capitalised >= _TITLE_CASE_SHARE * len(long_words)
    return _word_count(text) >= _MIN_UNPUNCTUATED_WORDS and not title_case


def _word_count(text: str) -> int:
    """Words of `text` with letters in them; a run of a script written without spaces
    (Chinese, Japanese, Thai) counts a word per two characters, about their words' length (it
    was one "word" per clause, so no Chinese sentence of fewer than four clauses was a
    statement)."""
    spaced = UNSPACED.sub(" ", text)
    runs = sum((len(run) + 1) // 2 for run in UNSPACED.findall(text))
    return runs + len([w for w in spaced.split() if WORD.search(w)])
