"""Questions that head answers: in an FAQ the text under "### How long is an e-book loan?" answers
it, and people's questions resemble the FAQ's questions far more than its answers."""

from __future__ import annotations

from dataclasses import replace

from ..index.embed import Embedder
from ..index.similarity import Rescale
from ..types import Passage
from .alone import embed_alone
from .sentences import QUESTION_END, candidate_sentences, heading_of


def asked_headings(
    question: str, passages: list[Passage], embedder: Embedder, rescale: Rescale | None = None
) -> tuple[dict[tuple[str, int], float], list[Passage]]:
    """The similarity to `question` of each heading of `passages` that is itself a question (an
    FAQ's "### How long is an e-book loan?"), embedded alone, given to the first sentence under
    it, keyed by its source and start; and the passages, each holding such a sentence with its
    closest sentence's similarity raised to it. A question heading stands for the answer that
    follows it, and people's questions resemble an FAQ's questions far more than its answers
    ("How long can I keep an e-book?": 0.64 with that heading, 0.31 with "Loans last 21 days.";
    docs/answers.md, "Questions that head answers")."""
    if not any(_may_ask(p) for p in passages):
        return {}, passages
    # (source, heading): (start of the first sentence under it, language); two FAQs may ask the
    # same question, each answering it.
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for sentence in candidate_sentences(passages, everything=True):
        passage = passages[sentence.passage]
        key = (passage.source, heading_of(sentence, passage))
        if QUESTION_END.search(key[1]) and (key not in first or sentence.start < first[key][0]):
            first[key] = (sentence.start, passage.language)
    if not first:
        return {}, passages
    headings = [heading for _, heading in first]
    similarity = embed_alone(embedder, headings) @ embedder.embed_question(question)
    if rescale is not None:
        similarity = rescale(similarity, [language for _, language in first.values()])
    answers: dict[tuple[str, int], float] = {}
    for ((source, _), (start, _)), value in zip(first.items(), similarity, strict=True):
        answers[(source, start)] = max(float(value), answers.get((source, start), -1.0))
    raised = []
    for passage in passages:
        held = [
            value
            for (source, start), value in answers.items()
            if source == passage.source and passage.start <= start < passage.end
        ]
        if held and max(held) > passage.sentence_similarity:
            passage = replace(passage, sentence_similarity=max(held))
        raised.append(passage)
    return answers, raised


def _may_ask(passage: Passage) -> bool:
    """Whether `passage` holds a question mark at all, in its text or its section path: most
    passages do not, and need not be cut into sentences to tell."""
    return any(mark in passage.text for mark in _MARKS) or any(
        mark in title for _, titles in passage.sections for title in titles for mark in _MARKS
    )


_MARKS = ("?", "？", "؟")
