"""Whole-document questions ("Summarize the report", "What are the main points of this guide?")
answered with a short extractive summary: sentences spread across the document, each cited.

Retrieval answers such a question badly: the question names no fact, so the passages closest
to it are whichever mention "summary" or the document's title. A summary instead takes the
document's statements in order, cuts them into equal stretches (one per quoted sentence, so the
sentences come from across its sections), and quotes from each stretch the sentence closest to
the document's centre of meaning (the mean of its sentence vectors), which favours sentences
about what the whole document is about over asides."""

from __future__ import annotations

import re

import numpy as np

from .answer import StoredSentences, candidate_sentences, cite, sentence_vectors
from .embed import Embedder
from .types import Answer, Passage

_ASKS_SUMMARY = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:"
    r"summari[sz]e|sum up|give (?:me )?(?:a |an )?(?:short |brief )?(?:summary|overview|gist)"
    r"|(?:what|which) (?:are|were) the (?:main|key|most important) (?:points?|ideas?|takeaways?"
    r"|findings?|arguments?|messages?)"
    r"|what(?: is|'s) (?:this|the) (?:document|report|article|guide|page|paper|text|file|book)"
    r"(?: \w+){0,3} about"
    r"|tl;? ?dr)\b",
    re.I,
)
SUMMARY_SENTENCES = 5


def asks_for_summary(question: str) -> bool:
    """Whether `question` asks about a whole document rather than a fact in it."""
    return bool(_ASKS_SUMMARY.search(question))


def summarise(
    question: str,
    passages: list[Passage],
    embedder: Embedder,
    stored: StoredSentences | None,
    sentences: int = SUMMARY_SENTENCES,
) -> Answer:
    """A summary of the document whose chunks are `passages` (in document order): up to
    `sentences` statements, one from each equal stretch of the document, each cited."""
    found = candidate_sentences(passages, statements_only=True)
    if not found:
        return Answer(question, "This document has no statements to summarise.", False)
    vectors = sentence_vectors(found, passages, embedder, stored)
    centre = vectors.mean(axis=0)
    centrality = vectors @ (centre / max(float(np.linalg.norm(centre)), 1e-9))
    chosen = [
        int(stretch[np.argmax(centrality[stretch])])
        for stretch in np.array_split(np.arange(len(found)), min(sentences, len(found)))
    ]
    return cite(question, question, found, chosen, passages)
