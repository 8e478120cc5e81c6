"""Text read alone rather than pooled with its passage: question headings, and the closest
passages' sentences when nothing is evidence. Their vectors are remembered per model, since the
same passages come back with every question asked of them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from ..index.embed import Embedder
from ..index.similarity import Rescale
from ..settings import Settings
from ..types import Passage
from .sentences import Sentence, candidate_sentences

_CLOSEST = 3  # passages whose sentences are read alone
_KEPT = 8192  # vectors remembered, the least recently used forgotten first
# Keyed by the embedder itself, not its name: a model served remotely under a local model's name
# gives other vectors.
_VECTORS: OrderedDict[tuple[Embedder, str], np.ndarray] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class AloneReading:
    """What reading the closest passages' statements alone gave (`read_alone`): the passages,
    each one's closest sentence's similarity raised to its best one's alone, and each sentence's
    similarity alone by (passage index, start); both less `alone_penalty`."""

    passages: list[Passage]
    sentences: dict[tuple[int, int], float]

    def raised(self, sentences: list[Sentence], similarity: np.ndarray) -> np.ndarray:
        """`similarity` of `sentences` (their pooled vectors') raised to their similarity alone
        where they were read so: an answer found by a sentence read alone quotes by the same
        reading, not by the pooled one that missed it."""
        alone = [self.sentences.get((s.passage, s.start), -np.inf) for s in sentences]
        return np.maximum(similarity, np.asarray(alone, dtype=similarity.dtype))


def read_alone(
    question: str,
    passages: list[Passage],
    embedder: Embedder,
    settings: Settings,
    rescale: Rescale | None = None,
) -> AloneReading:
    """`passages` with the closest three's statements embedded alone, each passage's closest
    sentence's similarity raised to its best one's less `alone_penalty`, and each statement's
    similarity alone (`AloneReading`). Asked only when no passage is evidence by its sentences'
    pooled vectors: a sentence pooled with its passage leans toward what the passage is about,
    and an answer that says what the question asks in other words reads weaker so
    (docs/answers.md, "Sentences read alone")."""
    if settings.alone_penalty > 1:
        return AloneReading(passages, {})
    closest = passages[:_CLOSEST]
    sentences = candidate_sentences(closest, statements_only=True)
    if not sentences:
        return AloneReading(passages, {})
    similarity = embed_alone(embedder, [s.text for s in sentences])
    similarity = similarity @ embedder.embed_question(question)
    if rescale is not None:
        similarity = rescale(similarity, [closest[s.passage].language for s in sentences])
    alone = {
        (s.passage, s.start): float(value) - settings.alone_penalty
        for s, value in zip(sentences, similarity, strict=True)
    }
    best: dict[int, float] = {}
    for (passage, _), value in alone.items():
        best[passage] = max(best.get(passage, -2.0), value)
    raised = [
        replace(p, sentence_similarity=best[i]) if best.get(i, -2.0) > p.sentence_similarity else p
        for i, p in enumerate(passages)
    ]
    return AloneReading(raised, alone)


def embed_alone(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """One unit vector per text, each embedded alone, remembered per embedder and text."""
    with _LOCK:
        missing = list(dict.fromkeys(t for t in texts if (embedder, t) not in _VECTORS))
    encoded = embedder.embed(missing)
    with _LOCK:
        for text, vector in zip(missing, encoded, strict=True):
            _VECTORS[(embedder, text)] = vector
        rows = []
        for text in texts:
            _VECTORS.move_to_end((embedder, text))
            rows.append(_VECTORS[(embedder, text)])
        while len(_VECTORS) > _KEPT:
            _VECTORS.popitem(last=False)
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), embedder.dimension)
