"""When no passage is evidence by its sentences' pooled vectors, the closest passages' sentences
are read alone (`alone.read_alone`); the answer then quotes by that reading too, so the sentence
that made its passage evidence is the one quoted first. The index's pooled vectors are scripted:
one sentence's stands in for a vector pulled towards the rest of its chunk."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import rag
import rag.answer.alone as alone
from rag.answer.evidence import evidence
from rag.answer.extractive import compose
from rag.types import SentenceVectors

QUESTION = "What did the council decide about the ferry timetable?"
TOPIC = "The island hall was painted blue last summer by volunteers from the ferry club."
ANSWER = "From January the ferry will sail only on Mondays and Thursdays, the council decided."


def _compose(tmp_path: Path) -> rag.Answer:
    engine = rag.RAG(index=tmp_path / "index")
    embedder = engine.embedder
    text = f"{TOPIC} {ANSWER}"
    passage = rag.Passage(
        "letter.md", None, 0, len(text), text, 0.5, 0.1, 0.0, "c1", sentence_similarity=0.1
    )
    # Pooled with its chunk, the answering sentence reads as the chunk's other topic.
    pooled = embedder.embed([TOPIC, "Volunteers painted the hall in a shade of blue."])
    spans = ((0, len(TOPIC)), (len(TOPIC) + 1, len(text)))

    def stored(chunk_id: str) -> SentenceVectors:
        return SentenceVectors(spans, np.asarray(pooled, dtype=np.float32))

    settings = dataclasses.replace(engine.settings, answer_sentences=2)
    assert evidence(passage, settings) < settings.min_score
    return compose(QUESTION, QUESTION, [passage], embedder, settings, stored=stored)


def test_an_answer_found_by_a_sentence_read_alone_quotes_it_first(tmp_path: Path):
    answer = _compose(tmp_path)
    assert answer.found and answer.text.startswith(ANSWER), answer.text


def test_without_the_alone_reading_the_pooled_vectors_lead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The check that the test above could fail: quoting by the pooled vectors alone leads with
    the sentence on the chunk's other topic."""
    monkeypatch.setattr(
        alone.AloneReading, "raised", lambda self, sentences, similarity: similarity
    )
    answer = _compose(tmp_path)
    assert answer.found and answer.text.startswith(TOPIC), answer.text
