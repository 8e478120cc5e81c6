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

from ..index.embed import Embedder
from ..types import Answer, Passage
from .extractive import StoredSentences, cite, sentence_vectors
from .sentences import candidate_sentences, is_lead_in

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
# "What does the guide say about binary data?", "Summarise the section on installation":
# a question about one section of a document, answered with a summary of that section.
# Only a document is asked so: "What does the ISA say about ...?" asks for the ISA's view.
_DOCUMENT = (
    r"(?:document|report|article|guide|page|paper|text|file|book|manual|handbook|specification"
    r"|spec|history|notes?|readme|documentation|docs|study|memo|essay|post|chapter|policy)"
)
_ASKS_SECTION = re.compile(
    rf"^\s*(?:what does (?:the|this|that|my|our|your) (?:[\w-]+ )?{_DOCUMENT} (?:say|tell (?:me|us)"
    r"|write|cover|explain) (?:about|on|regarding)"
    r"|(?:please\s+)?summari[sz]e (?:the|this) (?:section|chapter|part) (?:on|about|called)"
    r")\s+(?:the\s+)?(?P<topic>.+?)[\s?.!]*$",
    re.I,
)
SUMMARY_SENTENCES = 5


def asks_for_summary(question: str) -> bool:
    """Whether `question` asks about a whole document rather than a fact in it."""
    return bool(_ASKS_SUMMARY.search(question))


def asked_section(question: str) -> str | None:
    """The topic of a question about one section of a document ("binary data" in "What does
    the guide say about binary data?"), if it is one."""
    found = _ASKS_SECTION.search(question)
    return found.group("topic") if found else None


def summarise(
    question: str,
    passages: list[Passage],
    embedder: Embedder,
    stored: StoredSentences | None,
    sentences: int = SUMMARY_SENTENCES,
    span: tuple[int, int | None] = (0, None),
) -> Answer:
    """A summary of the document whose chunks are `passages` (in document order): up to
    `sentences` statements, one from each equal stretch of it, each cited; only statements
    starting within `span` (a section's offsets, None for the end) are quoted, and no list's
    lead-in, which says nothing without the items a summary leaves out."""
    start, end = span
    found = [
        s
        for s in candidate_sentences(passages, statements_only=True)
        if s.start >= start and (end is None or s.start < end) and not is_lead_in(s.text)
    ]
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
