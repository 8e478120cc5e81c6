"""A name the question asks about that no document mentions makes it a near miss: "How high is
the tide at the Bay of Fundy?" over a chapter on tides that never names Fundy is not answered
from what the chapter says of bays."""

from __future__ import annotations

from pathlib import Path

import rag
from rag.answer.unmentioned import unmentioned_names
from rag.index.keyword_index import LexicalIndex
from rag.text.keywords import tokenize

TIDES = (
    "A tide is the regular rise and fall of the sea's surface, caused mainly by the gravity of "
    "the Moon. A wide bay that narrows towards its head funnels the incoming water into a "
    "smaller space, so the water rises higher, and in some inlets the tidal range can exceed "
    "ten metres. The Mediterranean has very small tides. The United Methodist Church met at "
    "the Super Bowl stadium."
)


def _index(text: str) -> LexicalIndex:
    return LexicalIndex(1, None, dict.fromkeys(tokenize(text), 1))


def _passage(language: str = "en") -> rag.Passage:
    return rag.Passage("tides.md", None, 0, len(TIDES), TIDES, 0.6, 0.6, 0.8, language=language)


def test_a_name_no_document_mentions_is_found_in_the_question():
    """Only names of which the index holds no word, in no form and no near spelling: a
    misspelling, two words run together and an acronym the documents write out are not
    unmentioned, nor is the question's first word."""
    lexical, passages = _index(TIDES), [_passage()]

    def names(question: str) -> list[str]:
        return unmentioned_names(question, "en", passages, lexical)

    assert names("How high is the tide at the Bay of Fundy?") == ["Fundy"]
    assert names("Why are the tides in the Mediteranean so small?") == []
    assert names("Who played at the Superbowl stadium?") == []
    assert names("When did the UMC's board meet?") == []
    assert names("Fundy tides: how high are they?") == []
    assert names("How high are tides in the Moon's pull?") == []
    # Only English questions are read for names (German capitalises every noun; Spanish lost
    # answers), and not over passages in another language.
    mareas = "La marea sube y baja dos veces al día en la bahía."
    spanish = [rag.Passage("mareas.md", None, 0, len(mareas), mareas, 0.6, 0.6, 0.8, language="es")]
    in_spanish = LexicalIndex(1, None, dict.fromkeys(tokenize(mareas, "es"), 1))
    pregunta = "¿Cuánto sube la marea en la bahía de Fundy?"
    assert unmentioned_names(pregunta, "es", spanish, in_spanish) == []
    assert unmentioned_names("Wie hoch ist die Flut in Fundy?", "de", passages, lexical) == []
    german = [_passage("de")]
    assert unmentioned_names("How high is the tide at Fundy?", "en", german, lexical) == []


def test_a_question_naming_what_no_document_mentions_is_not_answered(tmp_path: Path):
    """End to end over the real index and model: the Fundy question is refused, naming what the
    documents do not mention and showing the closest passages as related; the same question
    about a bay they describe is answered."""
    (tmp_path / "tides.md").write_text(f"# Tides\n\n{TIDES}\n", encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest(tmp_path / "tides.md")
    refused = engine.query("How high is the tide at the Bay of Fundy?")
    assert not refused.found
    assert refused.text.startswith("Your documents do not mention “Fundy”."), refused.text
    assert refused.closest and refused.missing == "Fundy"
    answered = engine.query("How high can the tide get in an inlet?")
    assert answered.found and "ten metres" in answered.text, answered.text
