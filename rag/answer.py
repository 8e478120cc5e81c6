"""Passages to an extractive answer: the sentences that best answer the question, each followed
by its [n], with citations that point at the exact quoted spans. No language model involved."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .chunking import sentence_spans
from .embed import Embedder
from .settings import Settings
from .types import Answer, Citation, Passage, SentenceVectors

# Where composition finds a retrieved chunk's stored sentence vectors (Store.sentence_vectors).
StoredSentences = Callable[[str], SentenceVectors | None]

_WHITESPACE = re.compile(r"\s+")
# Headings, captions and table-of-contents lines say too little to stand as an answer: a candidate
# must end like a sentence, or be long enough to be one that lost its full stop and not capitalise
# most of its longer words as titles do ("Ratification of the United Nations Convention on the
# Law of the Sea" is 12 words).
_SENTENCE_END = tuple(".!?\"'”’)")
_MIN_UNPUNCTUATED_WORDS = 12
_TITLE_WORD_LETTERS = 4
_TITLE_CASE_SHARE = 0.7
# A markdown link counts as its label: "- [Introduction](#intro)" is a contents line, though it
# ends with a bracket as a sentence may.
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")  # a link's target whose label began a sentence earlier
# Bibliographic references (footnotes, reference lists, figure sources) share a question's words
# but answer nothing: "Lisa Levin et al., “Defining ‘Serious Harm’ ...,” Marine Policy, vol. 74
# (2016), pp. 245-259." A sentence is one when it carries a marker of a reference; a URL counts
# only beside a quoted title ("The software is available at https://..." can be an answer).
# Wikipedia's citation lists break into fragments ('"Dabbling Ducks".', "CWE."), so a short
# sentence on a line with a marker, or on a line opening with its "^ ", is one too. Chosen on
# data: these flag 2 of 9,350 NQ sentences, 9 of the first 2,000 SciFact abstracts' 17,000, none
# of seeds/, 6 of the CRS reports' 644 body sentences (figure source lines), and 203 of the 268
# sentences of wiki_duck.html's reference lists; the CRS report's footnotes are half references,
# half remarks that can answer (186 of 375 flagged).
_REFERENCE_MARK = re.compile(
    r"\b(?:Retrieved|[Aa]ccessed|Archived)\b.{0,40}\d{4}|\bISBN\b|\bPMID\b|\bdoi:|\bhdl:"
    r"|\bhereinafter\b|\bIbid\b|\bpp?\.\s?\d|\bvol\.\s?\d|\bet al\.,|\d Federal Register \d",
    re.S,
)
_URL = re.compile(r"https?://|\bwww\.")
_QUOTED_TITLE = re.compile(r"[“\"][^”\"]{3,}[”\"]")
_CITATION_LIST_ITEM = "^ "
_REFERENCE_FRAGMENT_WORDS = 8
_CLOSEST_SHOWN = 3
_FULL_COVERAGE = 1.0 - 1e-6  # coverage is a ratio of float sums: "all words" up to rounding


@dataclass(frozen=True)
class _Sentence:
    passage: int  # index into the retrieved passages
    start: int  # absolute offsets in the source's extracted text
    end: int
    text: str


def compose(
    question: str,
    searched: str,
    passages: list[Passage],
    embedder: Embedder,
    settings: Settings,
    stored: StoredSentences | None = None,
) -> Answer:
    """Answer `question` (searched as `searched`) from `passages`, or say plainly that the
    documents do not cover it when no passage `is_evidence`.
    `stored` gives a chunk's sentence vectors from the index, so only sentences it lacks are
    encoded now."""
    if not any(is_evidence(p, settings) for p in passages):
        return _not_found(question, searched, passages[:_CLOSEST_SHOWN])
    # Once one passage is evidence enough, every retrieved passage may supply sentences: the
    # best sentence often sits in a passage that is weaker as a whole.
    sentences = _candidate_sentences(passages)
    vectors = _sentence_vectors(sentences, passages, embedder, stored)
    similarity = vectors @ embedder.embed_question(searched)
    passage_scores = np.array([passages[s.passage].similarity for s in sentences], dtype=np.float32)
    weight = settings.sentence_weight
    scores = weight * similarity + (1 - weight) * passage_scores

    top = int(scores.argmax())
    best = float(scores[top])
    home = passages[sentences[top].passage].source
    # An answer quotes the best sentence's document; another document's sentence joins only
    # when it scores nearly as well, since a second source is where wrong citations come from.
    other = max(settings.sentence_keep_ratio, settings.other_source_keep_ratio)
    ratio = [
        settings.sentence_keep_ratio if passages[s.passage].source == home else other
        for s in sentences
    ]
    ranked = np.argsort(-scores, kind="stable")
    chosen = [i for i in ranked if scores[i] >= ratio[i] * best][: settings.answer_sentences]
    # The answer leads with the sentences that most directly answer (their own similarity);
    # passages are numbered in the order they are first cited.
    chosen.sort(key=lambda i: -similarity[i])
    numbers: dict[int, int] = {}
    for i in chosen:
        numbers.setdefault(sentences[i].passage, len(numbers) + 1)
    parts = [
        f"{_WHITESPACE.sub(' ', sentences[i].text)} [{numbers[sentences[i].passage]}]"
        for i in chosen
    ]
    citations: list[Citation] = []
    for passage_index, n in numbers.items():
        passage = passages[passage_index]
        mine = sorted(
            (sentences[i] for i in chosen if sentences[i].passage == passage_index),
            key=lambda s: s.start,
        )
        citations.append(
            Citation(
                n=n,
                source=passage.source,
                page=passage.page,
                start=passage.start,
                end=passage.end,
                text=passage.text,
                quote=" ".join(s.text for s in mine),
                quote_spans=tuple((s.start, s.end) for s in mine),
                score=passage.score,
            )
        )
    return Answer(
        question=question,
        text=" ".join(parts),
        found=True,
        citations=citations,
        closest=[],
        searched=searched,
    )


def _sentence_vectors(
    sentences: list[_Sentence],
    passages: list[Passage],
    embedder: Embedder,
    stored: StoredSentences | None,
) -> np.ndarray:
    """One unit vector per sentence: the stored one where the index has it, else encoded now."""
    known = {}
    for passage in passages:
        found = stored(passage.chunk_id) if stored and passage.chunk_id else None
        if found is not None:
            known[passage.chunk_id] = found.lookup()
    rows: list[np.ndarray | None] = []
    for sentence in sentences:
        passage = passages[sentence.passage]
        span = (sentence.start - passage.start, sentence.end - passage.start)
        rows.append(known.get(passage.chunk_id, {}).get(span))
    missing = [i for i, row in enumerate(rows) if row is None]
    encoded = embedder.embed([sentences[i].text for i in missing])
    for i, vector in zip(missing, encoded, strict=True):
        rows[i] = vector
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), embedder.dimension)


def is_evidence(passage: Passage, settings: Settings) -> bool:
    """Whether a passage bears on the question enough to answer from: its `evidence` reaches
    `min_score`, or it contains every informative word of the question and its similarity
    reaches the lower `full_coverage_min_score` (short questions embed weakly, but a passage
    naming all they name is on topic)."""
    if evidence(passage, settings) >= settings.min_score:
        return True
    return (
        passage.coverage >= _FULL_COVERAGE
        and passage.similarity >= settings.full_coverage_min_score
    )


def evidence(passage: Passage, settings: Settings) -> float:
    """How strongly a passage bears on the question, on a scale that means the same for every
    query (unlike the fused rank score): embedding similarity plus weighted keyword coverage.
    Coverage can rescue short, exact questions that embed weakly; its weight is chosen on data
    (bench/calibrate.py), where it did not help, so it is 0 by default."""
    return passage.similarity + settings.coverage_weight * passage.coverage


def _candidate_sentences(passages: list[Passage]) -> list[_Sentence]:
    """Sentences of the passages, each once even where overlapping chunks repeat it."""
    seen: set[tuple[str, int, int]] = set()
    found: list[_Sentence] = []
    short: list[_Sentence] = []
    for index, passage in enumerate(passages):
        text = passage.text
        for start, end in sentence_spans(text):
            span = (passage.source, passage.start + start, passage.start + end)
            if span in seen:
                continue
            seen.add(span)
            sentence = _Sentence(index, span[1], span[2], text[start:end])
            line_end = text.find("\n", end)
            line = text[text.rfind("\n", 0, start) + 1 : len(text) if line_end < 0 else line_end]
            if _is_statement(sentence.text) and not _is_reference(sentence.text, line):
                found.append(sentence)
            else:
                short.append(sentence)
    return found or short


def _is_statement(text: str) -> bool:
    if text.startswith("#"):
        return False
    text = _MARKDOWN_LINK.sub(r"\1", text).strip()
    if text.endswith(_SENTENCE_END):
        return True
    words = text.split()
    long_words = [w for w in words if len(w) >= _TITLE_WORD_LETTERS and w[0].isalpha()]
    capitalised = sum(w[0].isupper() for w in long_words)
    title_case = bool(long_words) and capitalised >= _TITLE_CASE_SHARE * len(long_words)
    return len(words) >= _MIN_UNPUNCTUATED_WORDS and not title_case


def _is_reference(sentence: str, line: str) -> bool:
    """Whether `sentence` (on `line` of its passage) is part of a bibliographic reference."""
    sentence, line = (_LINK_TARGET.sub("]", _MARKDOWN_LINK.sub(r"\1", t)) for t in (sentence, line))
    if _REFERENCE_MARK.search(sentence) or (
        _URL.search(sentence) and _QUOTED_TITLE.search(sentence)
    ):
        return True
    if line.lstrip().startswith(_CITATION_LIST_ITEM):
        return True
    return len(sentence.split()) < _REFERENCE_FRAGMENT_WORDS and bool(_REFERENCE_MARK.search(line))


def _not_found(question: str, searched: str, closest: list[Passage]) -> Answer:
    text = "Your documents do not seem to cover this."
    if closest:
        names = ", ".join(dict.fromkeys(_label(p) for p in closest))
        text += f" The closest passages were in {names}, but none of them answers it."
    return Answer(
        question=question, text=text, found=False, citations=[], closest=closest, searched=searched
    )


def _label(passage: Passage) -> str:
    return passage.source if passage.page is None else f"{passage.source} (page {passage.page})"
