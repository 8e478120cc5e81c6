"""The figure a question that names its measure asks for (`measures.measure`: a sum of money, a
span of time, a unit): whether the passages state it, which sentence an answer quotes for it,
and which leads. A question whose figure no sentence states is a near miss."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..text.keywords import ENGLISH, bases, tokenize
from ..text.markup import reader_view
from ..text.measures import per_period, priced, states, without_naming_words
from ..types import Passage
from .sentences import Sentence, candidate_sentences, in_context

# A sentence's IDF-weighted share of the question's keywords (Retriever.keyword_overlap).
KeywordOverlap = Callable[[str], float]


def states_figure(
    needed: str, question: str, passages: list[Passage], keywords: KeywordOverlap | None
) -> bool:
    """Whether some sentence of `passages` states the measure `needed` of what `question` asks
    about (see `compose`). Measures are read in English: where the best passage is in another
    language it may state one in words not read ("hasta bien entrado el siglo XIX"), so nothing
    is ruled out."""
    if passages and passages[0].language not in (ENGLISH, ""):
        return True
    stating = figure_test(needed, question, passages, keywords)
    return any(stating(s) for s in candidate_sentences(passages, everything=True))


def figure_test(
    needed: str, question: str, passages: list[Passage], keywords: KeywordOverlap | None
) -> Callable[[Sentence], bool]:
    """Whether a sentence of `passages` states the measure `needed` of what `question` asks
    about: the figure, per period when asked so, in a sentence that shares a keyword with the
    question beside the measure's own, and one of those the passages do not all share. A
    question that names nothing but its measure ("What is the rent?") needs a sentence naming it
    ("The rent is £640 a month."). A price must be of the thing asked about (`priced`), named in
    the sentence or the titles it stands under: "Reserving a book costs 50p" is no price of a
    library card."""
    rate = per_period(question)
    asked = without_naming_words(needed, question)
    specific = _specific_words(asked, passages)
    beyond = bool(tokenize(asked))
    thing = _forms(priced(question)) if needed == "money" else set()

    def test(s: Sentence) -> bool:
        seen = reader_view(s.text)
        if needed == "date":  # a changelog's or a diary's date heads its section
            seen = _under_path(s, passages, seen)
        if not states(needed, seen) or (rate and not per_period(seen)):
            return False
        named = in_context(s, passages)
        if thing and not thing & set(tokenize(_under_path(s, passages, named))):
            return False
        named = without_naming_words(needed, named) if beyond else named
        if keywords is not None and keywords(named) == 0:
            return False
        return not specific or bool(specific & set(tokenize(named, passages[s.passage].language)))

    return test


def _under_path(sentence: Sentence, passages: list[Passage], text: str) -> str:
    """`text` (`sentence` as read) under its section path: its document's title and headings say
    what it is about ("Fitting cost £9,400 per house" in a paper on green roofs) and date it."""
    return "\n".join([*passages[sentence.passage].section_at(sentence.start), text])


def _forms(word: str | None) -> set[str]:
    """`word`'s keyword token and the other forms it may take in a document (`bases`)."""
    tokens = tokenize(word) if word else []
    return {t for token in tokens for t in (token, *bases(token))}


def _specific_words(question: str, passages: list[Passage]) -> set[str]:
    """The question's keywords that some of `passages` hold and others do not: what it asks
    about the topic that every passage shares."""
    held = [
        set(tokenize(question, p.language)) & set(tokenize(p.text, p.language)) for p in passages
    ]
    return set().union(*held) - set.intersection(*held) if held else set()


def with_figure(
    stating: Callable[[Sentence], bool],
    sentences: list[Sentence],
    chosen: list[int],
    scores: np.ndarray,
    passages: list[Passage],
    home: str,
    most: int,
) -> list[int]:
    """`chosen` quoting the best-scored sentence of the answer's document that states the
    measure asked for (`stating`, from `figure_test`) when none of them does, in place of the
    last one if `most` are quoted: the question is answered because such a sentence exists
    ("What time do I have to leave the hotel room?": "check-out is by 11 am"), so it is quoted."""
    if any(stating(sentences[i]) for i in chosen):
        return chosen
    for i in map(int, np.argsort(-scores, kind="stable")):
        if (
            i not in chosen
            and not sentences[i].title
            and passages[sentences[i].passage].source == home
        ):
            if stating(sentences[i]):
                return [*chosen, i] if len(chosen) < most else [*chosen[:-1], i]
    return chosen


def measure_first(needed: str | None, sentences: list[Sentence], chosen: list[int]) -> list[int]:
    """`chosen` with the first quoted sentence stating the measure `needed` (measures.measure)
    moved to the front when the lead states none: "What time does the outbound flight leave?"
    is led by "Departs: 07:05", not by "Check-in opens online 36 hours before departure"."""
    if not needed:
        return chosen
    return giving_first([states(needed, reader_view(sentences[i].text)) for i in chosen], chosen)


def giving_first(gives: list[bool], chosen: list[int]) -> list[int]:
    """`chosen` with its first sentence that `gives` (one flag per chosen sentence) moved to the
    front, unless the lead already gives or none does."""
    if not chosen or gives[0] or not any(gives):
        return chosen
    giving = chosen[gives.index(True)]
    return [giving, *(i for i in chosen if i != giving)]
