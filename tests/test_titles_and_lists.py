"""Titles and lists in the candidates: a title may choose the document but is not quoted, and a
list's items are read in the order of the text."""

from __future__ import annotations

from pathlib import Path

import rag
import rag.answer.extractive as extractive
from rag.answer.sentences import candidate_sentences, list_items


def test_a_title_line_chooses_the_document_but_is_not_quoted(tmp_path: Path):
    """A short line that does not end like a sentence is a title, though it ends on a bracket
    ("Lonely Boy (Andrew Gold song)", the first line of every NQ passage): it heads the
    sentences below it and may be the best candidate, saying which document answers, but the
    answer quotes the sentences close to it, not it. A line ending on a colon is a list's
    lead-in, no title."""
    title = "Lonely Boy (Andrew Gold song)"
    song = '"Lonely Boy" is a hit song from 1977, written and recorded by Andrew Gold.'
    chart = "It spent five months on the American charts."
    lead_in = "Its lyrics tell this story:"
    text = f"{title}\n\n{song} {chart}\n\n{lead_in}\n\n- a boy born on a summer day"
    passage = rag.Passage("song.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert [(s.text, s.title) for s in sentences] == [
        (title, True),
        (song, False),
        (chart, False),
        (lead_in, False),
    ]
    assert sentences[1].heading == title
    engine = rag.RAG(index=tmp_path / "index")
    question = "Which Andrew Gold song was a hit?"
    answer = extractive.compose(question, question, [passage], engine.embedder, engine.settings)
    assert answer.found and song in answer.text, answer.text
    assert title not in answer.text.replace(song, "")


def test_a_lists_short_items_are_its_items_though_a_statement_follows_the_list():
    """Items too short to be statements ("debt: 9%") are candidates after every statement, the
    one below the list too; they are still the items, read in the order of the text (an annual
    report's reasons for referral were none, and "What is the main reason ...?" quoted the
    lead-in alone)."""
    text = (
        "The reasons given on vouchers this year were:\n\n"
        "- high housing costs: 38%\n- debt: 9%\n\n"
        "Two years ago benefit delays were the most common reason."
    )
    passage = rag.Passage("report.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    lead_in = candidate_sentences([passage])[0]
    assert lead_in.text == "The reasons given on vouchers this year were:"
    items = [s.text for s in list_items(lead_in, [passage])]
    assert items == ["high housing costs: 38%", "debt: 9%"]


def test_a_line_ending_on_a_colon_above_no_list_heads_what_follows():
    """A forum post's "kestrel_van wrote (3 March 2026, 21:14):" announces a post, not a list: it
    is a title, quoted only where nothing else is close, and heads the post's sentences; the same
    line above a list item is still that list's lead-in."""
    header = "kestrel_van wrote (3 March 2026, 21:14):"
    post = "I converted a 2016 Ford Transit Custom last summer."
    lead_in = "tinkerbus wrote (4 March 2026, 12:40):"
    text = f"{header}\n{post}\n\n{lead_in}\n- Check the split charge relay first."
    passage = rag.Passage("thread.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = {s.text: s for s in candidate_sentences([passage], everything=True)}
    assert sentences[header].title
    assert sentences[post].heading == header
    assert not sentences[lead_in].title
