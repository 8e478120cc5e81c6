"""Answers on long documents: the sentence that answers is quoted, markup never is, long forms
find their acronyms, and what a question asks for counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import rag
from rag.answer import compose
from rag.asks import asked_kinds, gives
from rag.chunking import sentence_spans

GUIDE = """\
Widget Guide
============

Installing the widget tool on a shared server that many people use every day
''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''''

The widget tool installs with one command and needs no configuration file at all.

Binary data
-----------

- Widgets store binary data in chunks of 4 MB, so large files never fill memory.
- [Read the storage notes](https://example.org/storage).
- [#12]: https://example.org/issues/12

```shell
$ widget store --chunk-size 4MB big.bin
```

See the section on storage below for more.
"""


def _guide(tmp_path: Path) -> rag.RAG:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.txt").write_text(GUIDE, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([tmp_path / "docs"]).ok
    return engine


def test_a_long_heading_underlined_in_restructuredtext_ends_at_its_underline():
    """A heading longer than a short line used to run into its underline and the paragraph
    after it, so the underline was quoted as part of a sentence."""
    texts = [GUIDE[a:b] for a, b in sentence_spans(GUIDE)]
    heading = "Installing the widget tool on a shared server that many people use every day"
    assert heading in texts
    assert "The widget tool installs with one command and needs no configuration file at all." in (
        texts
    )
    assert not any("''''" in t and any(c.isalpha() for c in t) for t in texts)


def test_markup_is_never_quoted(tmp_path: Path):
    engine = _guide(tmp_path)
    answer = engine.query("How large are the chunks widgets store binary data in?")
    assert answer.found, answer.text
    lead = answer.text.split(" [")[0]
    # The list item is quoted without its bullet; no link list, code line or underline is.
    assert lead == "Widgets store binary data in chunks of 4 MB, so large files never fill memory."
    for markup in ("- Widgets", "https://", "$ widget", "''''", "----", "See the section"):
        assert markup not in answer.text, answer.text
    citation = answer.citations[0]
    text = rag.read_document(citation.source).text
    assert [text[a:b] for a, b in citation.quote_spans][0] == lead


def test_a_long_form_is_searched_with_the_acronym_the_document_uses(tmp_path: Path):
    """The report names the zone once in full, then only by its acronym: a question in full
    words finds the later sentence because the acronym is searched too."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "report.md").write_text(
        "The Kestrel Ridge Basin (KRB) lies off the northern coast.\n\n"
        + "Fishing fleets have worked the coast for a century. " * 30
        + "\n\nThe KRB covers about 42,000 square kilometres of seabed.\n",
        encoding="utf-8",
    )
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([folder])
    answer = engine.query("How big is the Kestrel Ridge Basin?")
    assert answer.searched == "How big is the Kestrel Ridge Basin (KRB)?"
    assert answer.found and "42,000 square kilometres" in answer.text
    # Searched as typed, the sentence that gives the size is not found.
    plain = rag.RAG(index=tmp_path / "index", expand_acronyms=False)
    typed = plain.query("How big is the Kestrel Ridge Basin?")
    assert typed.searched == "How big is the Kestrel Ridge Basin?"
    assert "42,000" not in typed.text


def test_what_a_question_asks_for():
    assert asked_kinds("When did Congress pass the act?") == ["date"]
    assert asked_kinds("How many contracts has the ISA issued?") == ["quantity"]
    assert asked_kinds("Why did the company go bankrupt?") == ["reason"]
    assert asked_kinds("Who is in charge of the authority now?") == ["name"]
    assert asked_kinds("What is dark oxygen?") == []
    assert gives(["date"], "In 1980, Congress passed the act.")
    assert not gives(["date"], "Congress passed the act quickly.")
    assert gives(["quantity"], "The ISA has issued 31 exploration contracts.")
    assert gives(["reason"], "It filed for bankruptcy because it could not raise capital.")
    assert gives(["name"], "On January 1, Leticia Carvalho began her term.")
    assert not gives(["name"], "the authority began a new term.")


def test_the_sentence_giving_the_kind_of_fact_asked_for_wins_a_close_call(tmp_path: Path):
    """Two sentences of one passage on the topic; asked "when", the one holding the date is
    quoted when the signal counts, and the one closer in wording when it does not."""
    text = (
        "The harbour bridge opening was a project the town argued about for a generation. "
        "The bridge finally opened to traffic in 1931, after nine years of building."
    )
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("history.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    question = "When did the harbour bridge open?"

    def quoted(**changes: float) -> str:
        settings = dataclasses.replace(engine.settings, answer_sentences=1, **changes)
        answer = compose(question, question, [passage], engine.embedder, settings)
        return answer.citations[0].quote

    assert "1931" in quoted(sentence_kind_weight=0.3)
    assert "1931" not in quoted(sentence_kind_weight=0.0)


HANDBOOK = """\
# Orchard Handbook

## Planting

Young apple trees are planted in late autumn, once the leaves have fallen.
Each tree needs a hole twice as wide as its roots and a stake on the windward side.

## Pruning

Pruning is done in winter, when the trees are dormant and the branches are easy to see.
Dead and crossing branches are removed first, then the centre is opened to let in light.

## Pests

Codling moth is the orchard's worst pest, and its larvae tunnel into the fruit.
Pheromone traps hung in May show when the moths are flying and spraying is worth it.

## Harvest

Apples are ready when they come away from the branch with a gentle twist.
Picked fruit keeps for months in a cool, dark and slightly damp store.

## Records

Every tree has a card noting its variety, its planting date and its yearly crop.
"""


def test_a_summary_spreads_across_sections_and_quotes_no_heading(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "orchard.md").write_text(HANDBOOK, encoding="utf-8")
    (folder / "note.md").write_text("Orchard ladders are kept in the barn.\n", encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([folder]).ok
    answer = engine.query("Summarize the orchard handbook")
    assert answer.found and len(answer.citations) >= 1
    assert all(c.source.endswith("orchard.md") for c in answer.citations)
    text = rag.read_document(answer.citations[0].source).text
    quoted = [(a, b) for c in answer.citations for a, b in c.quote_spans]
    headings = [text.index(h) for h in ("## Planting", "## Pruning", "## Pests", "## Harvest")]
    sections = {sum(start > h for h in headings) for start, _ in quoted}
    assert len(sections) >= 3, answer.text
    assert "#" not in answer.text and "Handbook" not in answer.text
    for start, end in quoted:
        assert text[start:end] in answer.text
    # A question about a fact in it is still answered from the passage that holds it.
    fact = engine.query("When are young apple trees planted?")
    assert "late autumn" in fact.text.split(" [")[0]


def test_prose_after_a_code_block_that_spans_two_chunks_can_be_quoted(tmp_path: Path):
    """A chunk that starts inside a code block sees the block's closing fence first; counting
    fences within the chunk alone took everything after it for code, so the sentence right
    after a long example (python-dotenv's "Reading from FIFOs ... is also supported") could
    never be quoted."""
    example = "\n".join(f'$ widget set --key name{i} --value "value number {i}"' for i in range(40))
    guide = (
        "# Widget guide\n\nThe widget tool keeps settings in a plain text file.\n\n"
        f"```shell\n{example}\n```\n\n"
        "## Storage\n\nThe settings file is never larger than 64 kilobytes. "
        "Reading settings from named pipes on Unix systems is also supported.\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(guide, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([tmp_path / "docs"]).ok
    passages = engine.search("Can the widget read settings from named pipes?", k=10)
    holding = [p for p in passages if "named pipes" in p.text]
    assert holding and all(p.text.count("```") % 2 == 1 for p in holding)  # starts in the code
    answer = engine.query("Can the widget read settings from named pipes?")
    assert answer.found, answer.text
    assert "Reading settings from named pipes on Unix systems is also supported." in answer.text
