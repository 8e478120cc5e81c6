"""A question asking who, where or which is answered by a name it does not hold: among the
quoted sentences, the one naming something new leads the one that only restates the topic
(`asks.new_names`, a learned lead feature)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rag
import rag.answer.extractive as extractive
from rag.answer.extractive import FEATURES, compose, sentence_features
from rag.answer.sentences import candidate_sentences
from rag.text.asks import names_asked, new_names

from .conftest import two_sentences


def _names(question: str, sentence: str) -> float:
    return new_names(names_asked(question), sentence)


def test_new_names_counts_the_capitalised_words_a_question_lacks():
    """Up to three capitalised words inside the sentence, not its first word nor the
    question's own, and only for questions asking who, where or which."""
    where = "Where does Noor work now?"
    assert _names(where, "Lead data engineer, Northfield Health Analytics, Leeds") == 1.0
    assert _names(where, "Since 2022 Noor has worked at Acme.") == pytest.approx(1 / 3)
    assert _names(where, "Introduced data contracts with the hospitals' teams.") == 0.0
    assert _names("Who runs the market?", "Priya runs it with her brother.") == 0.0
    assert _names("Which bank holds it?", "It is held at Northern Mutual.") == pytest.approx(2 / 3)
    assert names_asked("What does Noor do?") is None
    assert _names("What does Noor do?", "She works at Northfield Health Analytics.") == 0.0
    assert _names("According to the minutes, who chairs it?", "It is chaired by Ann Lee.") > 0


def test_a_name_counts_as_a_reader_sees_it():
    """The feature column reads each sentence with its lines joined and its links as their
    text: a name after a line break or inside a link counts; without a question, none does."""
    text = (
        "The ferry to the islands leaves every morning from the North\n"
        "Pier in [Castlebay](https://example.org/castlebay)."
    )
    passage = rag.Passage("ferry.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    zeros = np.zeros(len(sentences), dtype=np.float32)
    column = FEATURES.index("new_names")
    asked = "Where does the ferry leave from?"
    features = sentence_features(zeros, zeros, False, sentences, [passage], None, asked)
    assert features[:, column].tolist() == [1.0]
    features = sentence_features(zeros, zeros, False, sentences, [passage], None)
    assert features[:, column].tolist() == [0.0]


@pytest.mark.parametrize(
    ("question", "topic", "named"),
    [
        (
            "Where does the ferry leave from?",
            "The ferry leaves twice a day in summer and once in winter.",
            "Boarding for the ferry is at the North Pier in Castlebay, next to the Harbour Office.",
        ),
        (
            "Which bank holds the club's account?",
            "The club's account is used for fees, hire of the hall and prizes.",
            "The account is held at Northern Mutual in Harrogate.",
        ),
        (
            "Who runs the Saturday market?",
            "The Saturday market runs from eight until one, rain or shine.",
            "It is organised by Priya Raman of the Traders' Association.",
        ),
    ],
)
def test_a_question_asking_who_where_or_which_is_led_by_the_sentence_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question: str, topic: str, named: str
):
    """The sentence that names the place, the bank or the person leads the one on the topic in
    the question's own words, which is closer to it; without the feature's weight, the topic's
    sentence leads (as NQ's "who sings don't take your guns to town" was led before it)."""
    engine, passage, settings = two_sentences(tmp_path, topic, named)
    text = compose(question, question, [passage], engine.embedder, settings).text
    assert topic in text and text.startswith(named), text
    monkeypatch.setitem(extractive.LEAD_WEIGHTS, "new_names", 0.0)
    text = compose(question, question, [passage], engine.embedder, settings).text
    assert text.startswith(topic), text
