"""The keywords a sentence holds through its context, which the learned lead weights weigh
beside its own (`extractive.FEATURES`): the words a pronoun opening it stands for, and the
headings above it. A scripted keyword share stands in for the index's."""

from __future__ import annotations

import numpy as np
import pytest

import rag
from rag.answer.extractive import FEATURES, sentence_features
from rag.answer.sentences import candidate_sentences


def _features(passage: rag.Passage, words: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """The candidate sentences of `passage` and their features, a text's keyword share being the
    share of `words` it holds."""
    sentences = candidate_sentences([passage])

    def keywords(text: str) -> float:
        return sum(w in text for w in words) / len(words)

    zeros = np.zeros(len(sentences), dtype=np.float32)
    features = sentence_features(zeros, zeros, False, sentences, [passage], keywords)
    return [s.text for s in sentences], features


def test_a_sentence_opening_on_a_pronoun_counts_the_words_it_stands_for():
    """ "It is being replaced by a new library building." answers "What will replace the mobile
    classroom?" through the sentence before it: `antecedent_keywords` is the keyword share that
    sentence adds, for a sentence opening on a pronoun only."""
    removed = "The old mobile classroom will be removed in the Easter holidays."
    replaced = "It is being replaced by a new library building."
    paid = "A grant from the trust pays for the building."
    text = f"{removed} {replaced} {paid}"
    passage = rag.Passage("newsletter.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    texts, features = _features(passage, ("mobile", "classroom", "replace"))
    assert texts == [removed, replaced, paid]
    column = features[:, FEATURES.index("antecedent_keywords")]
    assert list(column) == pytest.approx([0.0, 2 / 3, 0.0])
    assert list(features[:, FEATURES.index("keywords")]) == pytest.approx([2 / 3, 1 / 3, 0.0])


def test_a_sentence_counts_the_words_of_the_headings_above_it():
    """ "A typo in the configuration file set the limit to 4." answers "What caused the outage?"
    in a report titled "Incident report: checkout outage": `section_keywords` is the keyword
    share its section path adds to its own (the nearest heading already counts as its own), and
    0 for a sentence with no section."""
    typo = "A typo in the configuration file set the limit to 4."
    queue = "Payment requests queued behind each other."
    text = f"{typo} {queue}"
    path = ("Incident report: checkout outage", "What happened")
    titled = rag.Passage(
        "report.md", None, 0, len(text), text, 0.6, 0.6, 0.8, sections=((0, path),)
    )
    texts, features = _features(titled, ("outage", "caus", "typo"))
    assert texts == [typo, queue]
    assert list(features[:, FEATURES.index("section_keywords")]) == pytest.approx([1 / 3, 1 / 3])
    assert list(features[:, FEATURES.index("keywords")]) == pytest.approx([1 / 3, 0.0])
    untitled = rag.Passage("notes.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    _, features = _features(untitled, ("outage", "caus", "typo"))
    assert list(features[:, FEATURES.index("section_keywords")]) == pytest.approx([0.0, 0.0])
