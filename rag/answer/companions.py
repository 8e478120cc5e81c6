"""Sentences quoted beside another because it does not stand alone: the antecedent of a lead
that opens on a pronoun, the item a list's lead-in announces, the dated heading a when-question's
answer sits under; and the keywords that context (the sentence before, the headings above) adds
to a sentence's own."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..text.asks import gives
from ..text.markup import reader_view
from ..types import Passage
from .figures import KeywordOverlap
from .sentences import (
    Sentence,
    candidate_sentences,
    is_item,
    is_lead_in,
    is_statement,
    list_items,
    sentence_before,
)

# A sentence that opens on one of these does not say whom or what it is about (English; other
# languages' pronouns are not matched, so their answers are as before).
_PERSON_PRONOUN = re.compile(r"(?:She|He|They|His|Her|Their)\b")
_THING_PRONOUN = re.compile(r"(?:It|Its|This|These)\b")
_PRONOUN = re.compile(f"{_PERSON_PRONOUN.pattern}|{_THING_PRONOUN.pattern}")
# A sentence that opens by pointing back to what it follows from: the sentence before is its
# cause ("As the Earth turns, a coast passes through both bulges each day. That is why most
# coasts have two high tides a day.").
_CONSEQUENCE = re.compile(
    r"(?:That|This)(?: is|'s|’s) (?:why|how)\b|(?:The|As a) result\b|For (?:this|that) reason\b"
    r"|Because of (?:this|that)\b|(?:Hence|Therefore|Thus)\b"
)
# What a question asks of a consequence's cause: why, when or how it comes about.
_CAUSES = {"reason", "date", "method"}


def antecedent_keywords(
    sentence: Sentence,
    passages: list[Passage],
    context: str,
    share: float,
    keywords: KeywordOverlap | None,
) -> float:
    """What the sentence before adds to the keyword `share` of `sentence` (read in its `context`)
    when it opens on a pronoun: the words the pronoun stands for ("It is being replaced by a new
    library building." after "The old mobile classroom will be removed ...")."""
    if keywords is None or _PRONOUN.match(sentence.text) is None:
        return 0.0
    return max(keywords(f"{sentence_before(sentence, passages)}\n{context}") - share, 0.0)


def section_keywords(
    sentence: Sentence,
    passage: Passage,
    context: str,
    share: float,
    keywords: KeywordOverlap | None,
) -> float:
    """What the headings above `sentence` (its document's title, its section's) add to its
    keyword `share`: a report titled "Incident report: checkout outage" is about the outage in
    every sentence, though few repeat the word."""
    path = passage.section_at(sentence.start)
    if keywords is None or not path:
        return 0.0
    return max(keywords("\n".join([*path, context])) - share, 0.0)


def with_item(
    sentences: list[Sentence],
    chosen: list[int],
    passages: list[Passage],
    scores: np.ndarray,
    limit: int,
) -> tuple[list[Sentence], list[int]]:
    """`sentences` and `chosen` with a list's best item quoted right after its lead-in: a quoted
    line that ends on a colon ("By default, `load_dotenv()` will:") announces the items below it,
    and says nothing without one. The item is the best-scoring of them (the first where none was
    a candidate), unless one is quoted already; the last quoted sentence gives way, so the answer
    is no longer (docs/answers.md, "A list's lead-in"). A lead-in and an item of it both quoted
    apart are quoted together where the first of them was, so the two read as one statement."""
    for at, i in enumerate(chosen):
        lead_in = sentences[i]
        if not is_lead_in(lead_in.text):
            continue
        items = list_items(lead_in, passages)
        spans = {(s.passage, s.start) for s in items}
        if not items:
            continue
        quoted = [j for j in chosen if (sentences[j].passage, sentences[j].start) in spans]
        if quoted:
            item = quoted[0]
            first = min(at, chosen.index(item))
            rest = [j for j in chosen if j not in (i, item)]
            chosen = [*rest[:first], i, item, *rest[first:]]
            break
        scored = [j for j, s in enumerate(sentences) if (s.passage, s.start) in spans]
        if scored:
            item = max(scored, key=lambda j: scores[j])
        else:
            sentences = [*sentences, items[0]]
            item = len(sentences) - 1
        chosen = [*chosen[: at + 1], item, *chosen[at + 1 :]][: max(limit, at + 2)]
        break
    return sentences, chosen


def with_antecedent(
    sentences: list[Sentence],
    chosen: list[int],
    passages: list[Passage],
    limit: int,
    kinds: Sequence[str] = (),
) -> tuple[list[Sentence], list[int]]:
    """`sentences` and `chosen` with the lead's antecedent quoted beside it when the lead opens
    on a pronoun: the nearest statement before it in its passage that does not (a heading such as
    "## Career" says nothing of whom "she" is). It goes before a person's pronoun when the
    question asks for a name (among `kinds`), which is then often the antecedent's ("Tessa
    Peake-Jones (born 1957) is an English actress." before "She is known for her role as Raquel
    ..."), and after the lead otherwise, where the lead itself says what was asked ("She had
    lived on Skarra for fifty years" for "How long has Agnes lived on the island?"). A lead
    that opens on its consequence ("That is why ...", "The result is ...") has the sentence right
    before it as its cause, quoted first when the question asks why, when or how. The last
    quoted sentence gives way, so the answer is no longer unless one sentence was asked for
    (docs/answers.md, "Whom a pronoun means"), and a list's lead-in whose item gave way too."""
    lead = sentences[chosen[0]] if chosen else None
    person = lead is not None and _PERSON_PRONOUN.match(lead.text) is not None
    consequence = lead is not None and _CONSEQUENCE.match(lead.text) is not None
    if lead is None or not (person or consequence or _THING_PRONOUN.match(lead.text)):
        return sentences, chosen
    before = [
        s
        for s in candidate_sentences(passages, everything=True)
        if s.passage == lead.passage and s.end <= lead.start
    ]
    antecedent = max(
        (s for s in before if is_statement(s.text) and (consequence or not _PRONOUN.match(s.text))),
        key=lambda s: s.start,
        default=None,
    )
    if antecedent is None:
        return sentences, chosen
    at = next(
        (
            i
            for i, s in enumerate(sentences)
            if (s.passage, s.start) == (lead.passage, antecedent.start)
        ),
        None,
    )
    if at is None:
        sentences = [*sentences, antecedent]
        at = len(sentences) - 1
    rest = [i for i in chosen[1:] if i != at]
    first = (person and "name" in kinds) or (consequence and bool(_CAUSES.intersection(kinds)))
    pair = [at, chosen[0]] if first else [chosen[0], at]
    quoted = [*pair, *rest]
    kept = quoted[: max(limit, len(pair))]
    # A lead-in whose item gives way goes with it: alone it announces nothing.
    last = sentences[kept[-1]]
    if (
        len(kept) < len(quoted)
        and is_lead_in(last.text)
        and is_item(sentences[quoted[len(kept)]], last, passages)
    ):
        kept = kept[:-1]
    return sentences, kept


def dated_heading(
    kinds: list[str], sentences: list[Sentence], chosen: list[int], passages: list[Passage]
) -> str:
    """The heading above the lead that gives the time a when-question asks for, when no quoted
    sentence gives one: in a changelog, a diary or minutes the date is often the section's
    ("## 3.2.0 — 2025-09-18" over "Offline sync queue: ..."). The deepest such heading, else ""."""
    if not kinds or kinds[0] != "date" or not chosen:
        return ""
    if any(gives(["date"], reader_view(sentences[i].text)) for i in chosen):
        return ""
    lead = sentences[chosen[0]]
    path = passages[lead.passage].section_at(lead.start)
    return next((t for t in reversed(path) if gives(["date"], t)), "")
