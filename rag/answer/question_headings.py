"""Questions that head answers: in an FAQ the text under "### How long is an e-book loan?" answers
it, and people's questions resemble the FAQ's questions far more than its answers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

import numpy as np

from ..index.embed import Embedder
from ..index.similarity import Rescale
from ..types import Passage
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
    first: dict[str, tuple[int, str, str]] = {}  # heading: (start, source, language)
    for sentence in candidate_sentences(passages, everything=True):
        passage = passages[sentence.passage]
        heading = heading_of(sentence, passage)
        if QUESTION_END.search(heading) and (
            heading not in first or sentence.start < first[heading][0]
        ):
            first[heading] = (sentence.start, passage.source, passage.language)
    if not first:
        return {}, passages
    similarity = _heading_vectors(embedder, list(first)) @ embedder.embed_question(question)
    if rescale is not None:
        similarity = rescale(similarity, [language for _, _, language in first.values()])
    answers: dict[tuple[str, int], float] = {}
    for (start, source, _), value in zip(first.values(), similarity, strict=True):
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


# Question headings' vectors by model and text: an FAQ's headings come back with every question
# asked of it, and embedding a dozen of them costs a search's time again.
_HEADING_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_HEADING_VECTORS_KEPT = 4096
_HEADING_VECTORS_LOCK = threading.Lock()


def _heading_vectors(embedder: Embedder, headings: list[str]) -> np.ndarray:
    with _HEADING_VECTORS_LOCK:
        missing = [h for h in headings if (embedder.name, h) not in _HEADING_VECTORS]
    encoded = embedder.embed(missing)
    with _HEADING_VECTORS_LOCK:
        for heading, vector in zip(missing, encoded, strict=True):
            _HEADING_VECTORS[(embedder.name, heading)] = vector
        rows = []
        for heading in headings:
            _HEADING_VECTORS.move_to_end((embedder.name, heading))
            rows.append(_HEADING_VECTORS[(embedder.name, heading)])
        while len(_HEADING_VECTORS) > _HEADING_VECTORS_KEPT:
            _HEADING_VECTORS.popitem(last=False)
    return np.asarray(rows, dtype=np.float32)
