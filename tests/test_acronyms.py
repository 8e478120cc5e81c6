"""Acronyms in questions, spelled out from the documents that define them."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag
from rag.text.acronyms import acronyms, expand, long_form


@pytest.mark.parametrize(
    ("acronym", "text", "expected"),
    [
        (
            "CPEC",  # each part of a hyphenated word gives a letter
            "The China-Pakistan Economic Corridor, usually shortened to CPEC, is",
            "China-Pakistan Economic Corridor",
        ),
        ("EU", "Trade with the European Union (EU) grew.", "European Union"),
        ("WHO", "The WHO (World Health Organization) said so.", "World Health Organization"),
        ("BOE", "The Bank of England (BOE) raised rates.", "Bank of England"),
        ("BE", "The Bank of England (BE) raised rates.", "Bank of England"),
        ("IMF", "Loans from the International Monetary Fund. The IMF agreed.", None),
        ("GC", "made by glutamine cyclase GC CD (GC) here", None),
        ("NASA", "The agency (NASA) launched it.", None),
    ],
)
def test_long_form_needs_capitalised_words_spelling_it_in_the_sentence(
    acronym: str, text: str, expected: str | None
):
    assert long_form(acronym, text) == expected


def test_which_tokens_count_as_acronyms():
    assert acronyms("What is CPEC?") == ["CPEC"]
    assert acronyms("Does the EU trade with the US and the EU?") == ["EU", "US"]
    assert acronyms("Deaths from sudden infant death syndrome (SIDS)?") == []  # defined there
    assert acronyms("Is H2A or ERAP1 involved?") == []  # names with digits, not abbreviations
    assert acronyms("WHAT IS THIS") == []  # typed in capitals


def test_expand_adds_the_long_form_once():
    definitions = {"CPEC": "China-Pakistan Economic Corridor"}
    assert (
        expand("What is CPEC?", definitions) == "What is CPEC (China-Pakistan Economic Corridor)?"
    )
    spelled = "Is the China-Pakistan Economic Corridor (CPEC) finished?"
    assert expand(spelled, definitions) == spelled


def test_an_acronym_question_is_answered_from_the_defining_document(seed_engine: rag.RAG):
    """ "What is CPEC?" embeds weakly; spelled out from seeds/cpec-primer.md it finds the passage
    that defines it, and the answer says what was searched."""
    answer = seed_engine.query("What is CPEC?")
    assert answer.searched == "What is CPEC (China-Pakistan Economic Corridor)?"
    assert answer.found, answer.text
    assert answer.citations[0].source.endswith("cpec-primer.md")
    assert "China-Pakistan Economic Corridor" in answer.text
    plain = rag.RAG(index=seed_engine.settings.index_dir, expand_acronyms=False)
    assert plain.retriever.expand_acronyms("What is CPEC?") == "What is CPEC?"


def test_an_acronym_and_its_long_form_are_one_name_to_the_keyword_share(tmp_path: Path):
    """A report names a thing once in full, then by its acronym: the sentence giving the answer
    holds the question's words when it holds the acronym the question was searched with."""
    (tmp_path / "report.md").write_text(
        "The Kestrel Ridge Basin (KRB) lies off the northern coast.\n\n"
        "Fishing fleets have worked the coast for a century.\n\n"
        "The KRB covers about 42,000 square kilometres of seabed.\n",
        encoding="utf-8",
    )
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([tmp_path / "report.md"])
    searched = engine.retriever.expand_acronyms("How big is the Kestrel Ridge Basin?")
    assert searched == "How big is the Kestrel Ridge Basin (KRB)?"
    overlap = engine.retriever.keyword_overlap(searched)
    by_acronym = overlap("The KRB covers about 42,000 square kilometres of seabed.")
    assert by_acronym == overlap("The Kestrel Ridge Basin covers about 42,000 square kilometres.")
    assert by_acronym > overlap("Fishing fleets have worked the coast for a century.")
