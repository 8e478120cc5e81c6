"""A question asking who someone is or who did something is a near miss when the quoted
sentences name no one: "Who designed Harbour Traders?" over rules that never say who did
(`asks.names_no_one`)."""

from __future__ import annotations

from pathlib import Path

from rag.answer.extractive import compose
from rag.text.asks import names_no_one

from .conftest import two_sentences

GAME = "Harbour Traders is a card and tile game for two to four players, aged ten and up."
SHIPS = "Each player starts the game with three ships and ten silver coins."


def test_who_did_or_who_is_needs_a_name_the_question_lacks():
    """Who is the ..., was the ... or did: the sentences must name something beyond the
    question's words. Who may, should or does something now, who is eligible or was affected, is
    answered by a kind of people as often, so it is not asked; nor is any other question."""
    assert names_no_one("Who designed Harbour Traders?", [GAME, SHIPS])
    assert names_no_one("Who is the claims assessor for my area?", ["Our assessor will call."])
    assert names_no_one("According to the rules, who designed Harbour Traders?", [GAME])
    assert not names_no_one("Who designed Harbour Traders?", ["It was designed by Mara Quist."])
    assert not names_no_one("Who built the brochs?", [SHIPS, "They were built by the Picts."])
    assert not names_no_one("Who should not take Dosafen?", ["Children under 12: not suitable."])
    assert not names_no_one("Who makes the decisions?", ["Investors make them."])
    assert not names_no_one("Who is eligible for a discount?", ["Anyone over 65 pays half."])
    assert not names_no_one("Who was affected by the outage?", ["About 2,300 customers were."])
    assert not names_no_one("What is Harbour Traders?", [GAME])


def test_an_answer_naming_no_one_says_the_documents_do_not_say_who(tmp_path: Path):
    """On the game's topic but with no designer named, the answer says so and quotes nothing;
    with the designer's sentence there, it is quoted."""
    engine, passage, settings = two_sentences(tmp_path, GAME, SHIPS)
    question = "Who designed Harbour Traders?"
    answer = compose(question, question, [passage], engine.embedder, settings)
    assert not answer.found and not answer.citations
    assert "do not seem to say who" in answer.text, answer.text
    engine, passage, settings = two_sentences(
        tmp_path / "named", GAME, "The game was designed by Mara Quist in 2019."
    )
    answer = compose(question, question, [passage], engine.embedder, settings)
    assert answer.found and "Mara Quist" in answer.text, answer.text
