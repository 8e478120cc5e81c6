"""Text read alone rather than pooled with its passage: question headings, and the closest
passages' sentences when nothing is evidence. Their vectors are remembered per model, since the
same passages come back with every question asked of them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

import numpy as np

from ..index.embed import Embedder
from ..index.similarity import Rescale
from ..settings import Settings
from ..types import Passage
from .sentences import candidate_sentences

_CLOSEST = 3  # passages whose sentences are read alone
_KEPT = 8192  # vectors remembered, the least recently used forgotten first
# Keyed by the embedder itself, not its name: a model served remotely under a local model's name
# gives other vectors.
_VECTORS: OrderedDict[tuple[Embedder, str], np.ndarray] = OrderedDict()
_LOCK = threading.Lock()


def read_alone(
    question: str,
    passages: list[Passage],
    embedder: Embedder,
    settings: Settings,
    rescale: Rescale | None = None,
) -> list[Passage]:
    """`passages` with the closest three's statements embedded alone, each passage's closest
    sentence's similarity raised to its best one's less `alone_penalty`. Asked only when no
    passage is evidence by its sentences' pooled vectors: a sentence pooled with its passage
    leans toward what the passage is about, and an answer that says what the question asks in
    other words reads weaker so (docs/answers.md, "Sentences read alone")."""
    if settings.alone_penalty > 1:
        return passages
    closest = passages[:_CLOSEST]
    sentences = candidate_sentences(closest, statements_only=True)
    if not sentences:
        return passages
    similarity = embed_alone(embedder, [s.text for s in sentences])
    similarity = similarity @ embedder.embed_question(question)
    if rescale is not None:
        similarity = rescale(similarity, [closest[s.passage].language for s in sentences])
    best: dict[int, float] = {}
    for sentence, value in zip(sentences, similarity, strict=True):
        best[sentence.passage] = max(best.get(sentence.passage, -1.0), float(value))
    return [
        replace(p, sentence_similarity=best[i] - settings.alone_penalty)
        if best.get(i, -1.0) - settings.alone_penalty > p.sentence_similarity
        else p
        for i, p in enumerate(passages)
    ]


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
