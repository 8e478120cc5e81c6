"""Chunks keep exact offsets: document.text[start:end] == chunk.text, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import rag
from rag.answer.sentences import is_statement
from rag.text.chunking import chunk_document, footnote_mark, sentence_spans
from rag.text.sections import Outline, headings
from rag.types import Document, Page

from .conftest import DOCS, indexed_one

WORDS = st.sampled_from(
    [
        "alpha",
        "Beta",
        "U.S.",
        "Dr.",
        "e.g.",
        "3.5",
        "x",
        "Z",
        "naïve",
        "—",
        "“quoted”",
        "(aside)",
        "end.",
        "Why?",
        "Wow!",
        "a.b",
        "...",
        "#",
        "-",
        "1.",
    ]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "! ", "? ", "\t", "  "])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=300).map(
    lambda parts: "".join(w + s for w, s in parts).strip()
)


def _doc(text: str, pages: int = 1) -> Document:
    """A document whose text is split into `pages` equal page spans."""
    step = max(len(text) // pages, 1)
    bounds = [min(i * step, len(text)) for i in range(pages)] + [len(text)]
    spans = tuple(
        Page(i + 1, a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)) if a < b
    )
    return Document("doc.txt", text, spans or (Page(1, 0, len(text)),))


def _check(document: Document, size: int, overlap: int) -> None:
    chunks = chunk_document(document, size, overlap)
    text = document.text
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text and chunk.text == chunk.text.strip()
        assert len(chunk.text) <= size
        assert document.page_at(chunk.start) == chunk.page == document.page_at(chunk.end - 1)
    # Nothing is lost: every non-space character lies inside some chunk.
    covered = [False] * len(text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())
    # Chunks advance through the document.
    starts = [(c.page or 0, c.start) for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS, size=st.integers(20, 400), overlap_share=st.floats(0, 0.9), pages=st.integers(1, 4)
)
def test_offsets_are_exact_for_generated_texts(text, size, overlap_share, pages):
    _check(_doc(text, pages), size, int(size * overlap_share))


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=2000))
def test_offsets_are_exact_for_arbitrary_unicode(text):
    _check(_doc(text), 200, 50)


def test_offsets_are_exact_on_real_documents():
    for path in sorted(DOCS.iterdir()):
        if path.suffix in {".md", ".pdf", ".docx", ".html"}:
            _check(rag.read_document(path), 800, 150)


def test_sentences_respect_abbreviations_and_blocks():
    text = (
        "Dr. Smith met J. Doe in the U.S. on Monday. He left. After E.O. 14285, NOAA had 10 "
        "applications. It waited. [H.R. 664](https://example.org/hr664) would fund it.\n"
        "## Heading\n- first item\n- second"
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Dr. Smith met J. Doe in the U.S. on Monday.",
        "He left.",
        "After E.O. 14285, NOAA had 10 applications.",
        "It waited.",
        "[H.R. 664](https://example.org/hr664) would fund it.",
        "## Heading",
        "- first item",
        "- second",
    ]


def test_wrapped_lines_join_into_one_sentence():
    line = "This sentence was wrapped by a PDF extractor because the page column was"
    text = f"{line}\nnarrow, and it ends here. A second one follows."
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [f"{line}\nnarrow, and it ends here.", "A second one follows."]


def test_a_narrow_columns_short_lines_join_when_the_next_goes_on_in_lower_case():
    text = (
        "In 2018, President Putin stated that Russia was\ndeveloping new capabilities, such as\n"
        "a glider.\nForce Structure\nRussia fields three kinds of launcher."
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "In 2018, President Putin stated that Russia was\ndeveloping new capabilities, such as\n"
        "a glider.",
        "Force Structure",
        "Russia fields three kinds of launcher.",
    ]
    # A chunk that starts inside a wrapped line has a short first line; one ending on a word no
    # title ends with runs on, even into a capital.
    text = "Western analysts have debated the credibility of\nPutin's threats.\nIssues for Congress"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Western analysts have debated the credibility of\nPutin's threats.",
        "Issues for Congress",
    ]


def test_a_line_wrapped_after_a_semicolon_or_colon_and_numbered_headings_stay_whole():
    """Hard-wrapped plain text: a line that ends on ";" or ":" and goes on in lower case is one
    sentence (it was two, the second quoted from "label"), while a list ending on ";" still ends
    its line; a section's or list item's number is part of its line, so "2. ACCOMMODATION" is a
    heading whose words count for the sentences under it."""
    text = (
        "2. ACCOMMODATION\n\nQuiet hours run from 22:00 to 07:00. The kitchen is shared;\n"
        "label your food with your name. Bring these:\nboots and a map.\n"
        "Rules:\n- No smoking;\n- No dogs.\n3.1. Samples are kept cold. In 2019. The year"
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "2. ACCOMMODATION",
        "Quiet hours run from 22:00 to 07:00.",
        "The kitchen is shared;\nlabel your food with your name.",
        "Bring these:\nboots and a map.",
        "Rules:",
        "- No smoking;",
        "- No dogs.",
        "3.1. Samples are kept cold.",
        "In 2019.",
        "The year",
    ]


def test_footnote_numbers_glued_to_a_full_stop_end_the_sentence():
    text = (
        "It is processed in Japan (Figure 4).164 In addition, China leads. Few succeed in "
        "doing so.1,2 A plan must follow.3-5 The ISA has been an observer since 1998.41 It "
        "regulates mining in ABNJ.14 The format is version 1.2 Draft, from 2048.18 (95% CI) "
        "on a 2.4 GHz radio in 2019.5 bursts."
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "It is processed in Japan (Figure 4).164",
        "In addition, China leads.",
        "Few succeed in doing so.1,2",
        "A plan must follow.3-5",
        # After a year or an acronym, before a capital.
        "The ISA has been an observer since 1998.41",
        "It regulates mining in ABNJ.14",
        # After other digits, or before anything but a capital, the number could be a
        # decimal's: left alone.
        "The format is version 1.2 Draft, from 2048.18 (95% CI) on a 2.4 GHz radio in 2019.5 "
        "bursts.",
    ]


def test_an_inline_bold_question_ends_its_sentence():
    """An FAQ written inline ("**Can I ...?** No. ...") asks in bold and answers after it: the
    question is a sentence of its own, and not one an answer quotes; so is a statement opening
    in bold after a full stop."""
    text = (
        "**What happens if I cannot act?** You pass, and your turn ends. **Can I sell part of a "
        "cargo?** No. A ship sails with all of it. **Short game.** Play five rounds."
    )
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "**What happens if I cannot act?**",
        "You pass, and your turn ends.",
        "**Can I sell part of a cargo?**",
        "No. A ship sails with all of it.",
        "**Short game.** Play five rounds.",
    ]
    assert not is_statement("**What happens if I cannot act?**")  # it asks: never quoted


def test_a_footnote_number_at_a_sentence_end_is_found_for_quoting():
    """Where a quote leaves off a footnote number: after a word's, a bracket's or an acronym's
    stop. An abbreviation's number and a year's decimal (a version as often) are kept."""
    for sentence, kept in [
        ("It is processed in Japan (Figure 4).164", "It is processed in Japan (Figure 4)."),
        ("Few succeed in doing so.1,2", "Few succeed in doing so."),
        ("It regulates mining in ABNJ.14", "It regulates mining in ABNJ."),
        (
            "The ISA has been an observer since 1998.41",
            "The ISA has been an observer since 1998.41",
        ),
        ("The layout is shown in Fig.3", "The layout is shown in Fig.3"),
        ("The team moved to IDEA 2023.1", "The team moved to IDEA 2023.1"),
        ("The format is version 1.2", "The format is version 1.2"),
    ]:
        assert sentence[: footnote_mark(sentence)] == kept


def test_overlap_repeats_trailing_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(20))
    chunks = chunk_document(_doc(text), size=120, overlap=60)
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end  # the next chunk starts inside the previous one
        assert before.end - after.start <= 60


def test_bad_chunk_settings_are_refused():
    import pytest

    with pytest.raises(ValueError, match="chunk_size"):
        chunk_document(_doc("Some text."), size=100, overlap=100)


def test_plain_text_headings_in_capitals_or_numbered_nest_their_sections():
    text = (
        "ALDERWICK PRINTING LTD\nStaff handbook\n\n4.1 Annual leave\n\nYou get 25 days.\n\n"
        "4.2 Sickness\n\nPhone in by 9.30 am.\n\nSKILLS\nLanguages: Python, SQL.\n\n"
        "1. ARRIVING\n\nCollect a key.\n\n1. Preheat the oven\n\nA line in capitals\nIN A "
        "PARAGRAPH ends it."
    )
    outline = Outline(headings(text))
    assert [(h.level, h.title) for h in outline.headings] == [
        (1, "ALDERWICK PRINTING LTD"),
        (2, "4.1 Annual leave"),
        (2, "4.2 Sickness"),
        (1, "SKILLS"),
        (1, "1. ARRIVING"),
    ]
    assert outline.path(text.index("Phone")) == ("ALDERWICK PRINTING LTD", "4.2 Sickness")
    assert outline.path(text.index("Languages")) == ("SKILLS",)


def test_each_message_of_a_chat_export_is_one_sentence():
    # Messages rarely end in a full stop: without the stamp rule each ran into the next, and a
    # message's second sentence lost who sent it and when.
    text = (
        "21/03/2026, 16:10 - Maya Osei: Everyone down safe. 14.6 km in 7 hours 20\n"
        "21/03/2026, 16:12 - Maya Osei: Table booked at the Drover's Arms for 7:30\n"
        "[2026-03-22 10:15:02] Hannah: Sunday walk cancelled, it's pouring\n"
        "[10:16] Dan: Fine by me\n"
        "A long line of prose that runs on past fifty characters without a stop\n"
        "and goes on here. Then it ends."
    )
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "21/03/2026, 16:10 - Maya Osei: Everyone down safe. 14.6 km in 7 hours 20",
        "21/03/2026, 16:12 - Maya Osei: Table booked at the Drover's Arms for 7:30",
        "[2026-03-22 10:15:02] Hannah: Sunday walk cancelled, it's pouring",
        "[10:16] Dan: Fine by me",
        "A long line of prose that runs on past fifty characters without a stop\nand goes on here.",
        "Then it ends.",
    ]
    # A message is a statement without a full stop or twelve words; a short one is no more so.
    assert is_statement("15/02/2026, 20:36 - Dan Kowalski: Perfect. Car is me, Maya, Tom and Priya")
    assert not is_statement("15/02/2026, 20:37 - Dan: ok 👍")


def test_a_labelled_field_of_three_words_is_a_statement():
    # A record's field says who in fewer words than a sentence: "Who refereed the match?" had
    # no candidate but quotes from the match.
    assert is_statement("**Referee:** Karen Whitlow.")
    assert is_statement("Tenant: Ann Price.")
    assert not is_statement("Referee Karen Whitlow.")  # no label: three words are a fragment
    assert not is_statement("Booked: Lund.")
    assert not is_statement("**Attendance:** 2,418.")


def test_a_markdown_tables_rows_are_answered_one_at_a_time(tmp_path):
    # Rows end in no stop, so the chunker keeps a run of long ones as one span; answers read each
    # row as a sentence, and a row with a figure or a clause-long cell is a statement (a
    # festival's timetable was quoted three rows to an answer, or its event was no candidate).
    timetable = (
        "# Riverside Open Studios\n\n"
        "The studios along the river open their doors for one weekend in June.\n\n"
        "| Time | Event | Where |\n"
        "| --- | --- | --- |\n"
        "| 10:00 | Welcome talk by the curator, Dr Imogen Vale | Boathouse gallery |\n"
        "| 11:30 | Screen printing demonstration for beginners | Studio 4, first floor |\n"
        "| 14:00 | Life drawing class, materials provided | Old chapel |\n"
    )
    assert is_statement("| 14:00 | Life drawing class, materials provided | Old chapel |")
    assert not is_statement("| Time | Event | Where |")
    engine = indexed_one(tmp_path, "open-studios.md", timetable)
    answer = engine.query("Where is the life drawing class?")
    first = answer.text.split("[1]")[0].strip()
    assert first == "| 14:00 | Life drawing class, materials provided | Old chapel |", answer.text
