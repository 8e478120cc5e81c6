"""Answers on long documents: the sentence that answers is quoted, markup never is, long forms
find their acronyms, and what a question asks for counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rag.ui.render import render_sources, safe

import rag
import rag.answer.extractive as extractive
from rag.answer.evidence import is_evidence
from rag.answer.extractive import _repeats, compose
from rag.answer.summary import asked_section
from rag.text.asks import asked_kinds, frame_words, gives, restates
from rag.text.chunking import sentence_spans
from rag.text.markup import reader_view
from rag.text.measures import measure, states
from rag.text.sections import Outline, headings

from .conftest import indexed_one

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
    return indexed_one(tmp_path, "guide.txt", GUIDE)


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


def test_a_line_that_only_repeats_the_question_is_not_an_answer(tmp_path: Path):
    """A title-like line holding the question's words and nothing it asks for restates it; a
    sentence adding the one word asked for (a date) answers, and so does one adding two."""
    question = "How does China view these deals?"
    assert restates(question, "Memo on China and the deals.", "en")
    assert restates("Where do the ships dock?", "The ships dock.", "en")
    assert not restates(
        "When was the attack first reported?", "The attack was first reported in 2003.", "en"
    )
    assert not restates(question, "China views the deals with careful suspicion.", "en")
    text = (
        "Memo on China and the deals.\n\n"
        "Beijing quietly watches the deals and weighs its own investments in the region."
    )
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("memo.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    answer = compose(question, question, [passage], engine.embedder, engine.settings)
    assert answer.text.startswith("Beijing quietly watches"), answer.text
    assert "Memo on China" not in answer.text


def test_what_a_question_asks_for():
    assert asked_kinds("When did Congress pass the act?") == ["date"]
    assert asked_kinds("How many contracts has the ISA issued?") == ["count"]
    assert asked_kinds("Why did the company go bankrupt?") == ["reason"]
    assert asked_kinds("Who is in charge of the authority now?") == ["name"]
    assert asked_kinds("What is dark oxygen?") == []
    assert gives(["date"], "In 1980, Congress passed the act.")
    assert not gives(["date"], "Congress passed the act quickly.")
    assert gives(["count"], "The ISA has issued 31 exploration contracts.")
    assert gives(["reason"], "It filed for bankruptcy because it could not raise capital.")
    assert gives(["name"], "On January 1, Leticia Carvalho began her term.")
    assert not gives(["name"], "the authority began a new term.")
    # A measure named as what is asked asks for a quantity; the same word as a modifier does not.
    assert asked_kinds("What is the default size limit of the monkey patch?") == ["quantity"]
    assert asked_kinds("What was the total cost?") == ["quantity"]
    assert asked_kinds("What is a rate limiter?") == []
    # A way of doing something, and a view: an opinion question's frame is not a method.
    assert asked_kinds("How would nodules be picked up off the seafloor?") == ["method"]
    assert asked_kinds("How does China view these deals?") == ["opinion"]
    assert asked_kinds("What was the authority's reaction to the order?") == ["opinion"]
    assert gives(["method"], "Collector vehicles use a water stream to lift the nodules.")
    assert not gives(["method"], "Nodules lie on the abyssal seafloor.")
    assert gives(["opinion"], "The Secretary-General warned that it sets a dangerous precedent.")
    assert not gives(["opinion"], "The authority was created in 1994.")
    # What a thing is needed for, or what it avoids, is a reason ("Why does Pakistan still need
    # good ties with China?"); a noun "key" is not.
    assert gives(["reason"], "Cordial ties with China remain vital for Pakistan's security.")
    assert gives(["reason"], "It repeats one large entity, and so avoids triggering limits.")
    assert not gives(["reason"], "The key to the gauge house hangs in the office.")
    # A size is a figure with its unit, or a comparison; a count of things is not one.
    assert asked_kinds("How big is the Clarion-Clipperton Zone?") == ["size"]
    assert gives(["size"], "The CCZ is approximately 1.7 million square miles.")
    assert gives(["size"], "It spans an area as wide as the continental United States.")
    assert not gives(["size"], "The ISA has issued 17 exploration contracts in the CCZ.")
    assert not gives(["size"], "The accord was signed in 2024 in Brisk.")
    # A possessive in front of the measure: the limits asked for are figures.
    assert asked_kinds("What are New START's central limits?") == ["quantity"]
    # A date is not a quantity: the sentence that dates a remark does not give the figures.
    assert not gives(["quantity"], "In September 2025, Putin said on February 5, 2026, it would.")
    assert gives(["quantity"], "The limits are 1,550 warheads on 700 deployed vehicles.")
    # "several" counts nothing: "How many contracts does China hold?" wants China's five.
    assert not gives(["quantity"], "China has acquired several exploration contracts.")
    assert gives(["date", "quantity"], "In September 2025, Putin said so.")


def test_a_question_that_names_its_measure():
    assert measure("How much would it cost to build a processing plant?") == "money"
    assert measure("How much is Russia spending on its arsenal?") == "money"
    assert measure("How long do ducks live?") == "duration"
    assert measure("How many kilometers long is the wall?") == "kilometers"
    # Counts of things are often answered without their noun ("a population of 2.3 million").
    assert measure("How many people live in the city?") is None
    assert measure("How long is the river?") is None  # a length or a duration
    assert states("money", "The plant would cost an estimated $2 billion.")
    assert not states("money", "The plant would take 10 to 20 years and 2 billion tons of ore.")
    assert states("money", "A visit costs 38 pounds per person per night.")
    assert not states("money", "Each sack holds 50 pounds of flour.")
    assert states("duration", "Pairs usually stay together for only one year.")
    assert states("duration", "The day has been celebrated since 1988.")
    assert not states("duration", "Ducks live on every continent except Antarctica.")
    assert states("kilometers", "The wall is 21,196\xa0km long.")
    assert not states("kilometers", "The wall is very long.")
    # A price goes by many names; a question comparing fees asks for no sum.
    assert measure("What was the toll per ton-mile on the canal?") == "money"
    assert measure("What were the annual carriage fees for the channels?") == "money"
    assert measure("How do the fees at these schools compare to others?") is None
    assert measure("How much is the rent for a full plot?") == "money"
    assert measure("How much is the annual premium?") == "money"
    assert measure("How much of the rent goes to repairs?") is None  # a share
    # "What time ...?" asks for a time of day, "What time frame ...?" for a span.
    assert measure("What time does the kitchen close?") == "clock time"
    assert measure("What time frame does the war cover?") is None
    assert states("clock time", "The tam-tams start around 10:30am.")
    assert states("clock time", "Quiet hours run from 22:00 to 07:00.")
    assert states("clock time", "The gates shut at 5 pm and reopen at noon.")
    assert not states("clock time", "Food left out is cleared every Sunday evening.")
    # "How much slower / lower ...?" asks by how much: a share, a factor, a figure with its unit.
    assert measure("How much slower is defusedxml than the standard parser?") == "difference"
    assert measure("How much water must the dam release?") is None
    assert states("difference", "Oxygen-18 is about 12% heavier than oxygen-16.")
    assert states("difference", "The sea stood 120 m lower than today.")
    assert states("difference", "The patched parser is twice as slow.")
    assert not states("difference", "defusedxml 0.7.1 patches the parser.")


def test_an_opinion_questions_verb_is_not_a_keyword():
    """ "How does China view these deals?" asks for a view; a sentence that merely uses the
    verb ("Washington ... viewing ...") is no closer to the answer for it."""
    assert frame_words("How does China view these deals?") == ["view"]
    assert frame_words("What did the minister say about the port?") == ["say"]
    assert frame_words("How did the authority respond to the order?") == ["respond"]
    assert frame_words("What is the view from the summit?") == []
    assert frame_words("Which view does the guide recommend?") == []


def test_reader_view_blanks_markup_and_keeps_every_offset():
    text = (
        "## Credits\n\nMaintained by [Ann Lee][ann] and [Bo Chen](https://example.org/bo), "
        "see https://example.org/team.\n\n[ann]: https://example.org/ann\n"
        "Call `load()` with **care**; a `Billion Laughs`_ attack.\n| a | b |\n|---|---|\n"
    )
    seen = reader_view(text)
    assert len(seen) == len(text)
    assert all(a == b for a, b in zip(seen, text, strict=True) if not b.isspace() and a != " ")
    words = seen.split()
    assert "Ann" in words and "Lee" in words and "Chen" in words and "load()" in words
    for markup in ("https", "[", "](", "`", "**", "##", "|", "---", "ann]"):
        assert markup not in seen, markup


def test_the_model_reads_no_markup(seed_engine: rag.RAG):
    """A sentence with links embeds exactly as its reader's view does, chunks included (their
    sentence vectors come from the same pass): link targets and labels pulled a credits line to
    -0.04 similarity with "Who maintains python-dotenv?"."""
    linked = "It is maintained by [Ann Lee][ann-home] and [Bo Chen](https://example.org/bo)."
    plain = "It is maintained by  Ann Lee            and  Bo Chen                         ."
    assert reader_view(linked) == plain
    embedder = seed_engine.embedder
    vectors = embedder.embed([linked, plain, "It is maintained by Ann Lee and Bo Chen."])
    assert float(vectors[0] @ vectors[1]) > 0.9999
    chunk_vectors, sentences = embedder.embed_chunks([linked, plain])
    assert float(chunk_vectors[0] @ chunk_vectors[1]) > 0.9999
    assert sentences[0].spans == sentences[1].spans


def test_the_sentence_giving_the_kind_of_fact_asked_for_wins_a_close_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two sentences of one passage on the topic; asked "when", the one holding the date is
    quoted when the signal counts, and the one closer in wording when it does not (the rule
    quoting a sentence that states the date asked for, `figures.with_figure`, set aside)."""
    monkeypatch.setattr(extractive, "with_figure", lambda stating, s, chosen, *rest: chosen)
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


def test_a_sentence_that_says_more_than_one_quoted_joins_it(tmp_path: Path):
    """A later sentence holding nearly every word of a quoted one plus the figures asked for adds
    something, so it is quoted beside it. Links' addresses are not words a reader reads, so
    shared URLs do not make two sentences alike."""
    text = (
        "In May 2031, the minister [stated](https://news.example.org/politics/2019735) that the "
        "fleet would keep within the Harbour Accord's tonnage caps after the accord's expiry if "
        "the neighbours did so. "
        "On June 2, officials [stated](https://news.example.org/politics/2085211) that the fleet "
        "would keep within the Harbour Accord's tonnage caps as long as the neighbours did so. "
        "The 2019 [Harbour Accord](https://treaties.example.org/accord) that "
        "[capped](https://treaties.example.org/caps) both navies lapsed in June 2031, though "
        "officials then [stated](https://news.example.org/politics/2085211) that the fleet would "
        "keep within the accord's [tonnage caps](https://treaties.example.org/caps)—40,000 tons "
        "of warships in 12 ports and 9 submarines in all—as long as the neighbours did so."
    )
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("treaties.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    question = "What are the Harbour Accord's tonnage caps?"
    answer = compose(question, question, [passage], engine.embedder, engine.settings)
    assert "40,000 tons" in answer.text


def test_a_sentence_that_adds_nothing_is_not_quoted_twice():
    quoted = "The bridge opened to traffic in 1931, after nine years of building."
    assert _repeats("In short, the bridge opened to traffic in 1931 after nine years.", quoted)
    more = "The bridge opened to traffic in 1931, after nine years of building, and its tolls "
    assert not _repeats(more + "paid for it by 1950.", quoted)
    linked = "Officials [stated](https://example.org/politics/news/2085211) the bridge would open."
    other = "The mayor [said](https://example.org/politics/news/2085211) the tolls would end."
    assert not _repeats(other, linked)


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
    engine = indexed_one(tmp_path, "guide.md", guide)
    passages = engine.search("Can the widget read settings from named pipes?", k=10)
    holding = [p for p in passages if "named pipes" in p.text]
    assert holding and all(p.text.count("```") % 2 == 1 for p in holding)  # starts in the code
    answer = engine.query("Can the widget read settings from named pipes?")
    assert answer.found, answer.text
    assert "Reading settings from named pipes on Unix systems is also supported." in answer.text


OPTIONS_GUIDE = """\
Parser options
==============

Every parser takes the same keyword options. Each one is off unless it is named below as on.

forbid_dtd (default: False)
  disallow a document with a doctype declaration and raise an error when one is found.

forbid_entities (default: True)
  disallow a document that declares entities and raise an error when one is declared.

forbid_external (default: True)
  disallow any reference to an external file or network address and raise an error.

Credits
=======

This library is currently maintained by [Ann Lee][ann-homepage] and
[Bo Chen][gh-bochen] and would not have been possible without the support of
[many contributors](https://example.org/contributors).

[ann-homepage]: https://example.org/ann
[gh-bochen]: https://example.org/bochen
"""


def test_a_definition_is_found_under_its_term_and_a_linked_name_answers_who(tmp_path: Path):
    """Technical guides define an option on one line and explain it below without repeating its
    name, and credit people through link markup: the explanation under the term answers "What
    does forbid_dtd do?", and the credits line answers "Who maintains ...?" (python-dotenv's
    and defusedxml's guides failed both ways)."""
    engine = indexed_one(tmp_path, "options.rst", OPTIONS_GUIDE)
    one = rag.RAG(index=tmp_path / "index", answer_sentences=1)  # the best sentence alone
    answer = one.query("What does the forbid_dtd option do?")
    assert answer.text.startswith("disallow a document with a doctype declaration"), answer.text
    answer = engine.query("Who maintains this library?")
    assert "currently maintained by [Ann Lee]" in answer.text, answer.text


def test_one_answering_sentence_in_a_long_passage_is_evidence(tmp_path: Path):
    """A long passage embeds as the average of all it says; a question one of its sentences
    answers was refused when only the passage's similarity counted ("What is the so-called
    two-year rule?" on the CRS report: passage 0.32, sentence 0.50)."""
    report = (
        "The council met in the spring and the summer of that year, and its agenda ran long. "
        "Delegates discussed the budget, the staffing of the secretariat and the annual report. "
        "Several members asked for more time to study the environmental baseline surveys. "
        "Under the so-called two-year rule, the council must finish its mining regulations "
        "within two years of a member's request. "
        "Observers from industry and from advocacy groups attended most of the sessions. "
        "The secretariat published summaries of each meeting on its website afterwards. "
    )
    engine = indexed_one(tmp_path, "council.txt", report)
    question = "What is the so-called two-year rule?"
    passage = engine.search(question, k=1)[0]
    assert passage.sentence_similarity > passage.similarity + 0.1  # the sentence carries it
    # Similarity alone (this one-file index holds every word of the question, so coverage
    # would make any passage evidence): the sentence's is enough, the passage's is not.
    similarity_only = dataclasses.replace(engine.settings, coverage_weight=0.0)
    weak = dataclasses.replace(passage, sentence_similarity=0.0)
    assert is_evidence(passage, similarity_only) and not is_evidence(weak, similarity_only)
    answer = engine.query(question)
    assert answer.found and "must finish its mining regulations" in answer.text


def test_headings_give_each_offset_its_section_path():
    markdown = (
        "# Guide\n\nIntro.\n\n## Binary data\n\nChunks.\n\n```sh\n# not a heading\n```\n\n"
        "## Text\n\nLines.\n"
    )
    outline = Outline(headings(markdown))
    assert [(h.level, h.title) for h in outline.headings] == [
        (1, "Guide"),
        (2, "Binary data"),
        (2, "Text"),
    ]
    assert outline.path(markdown.index("Chunks")) == ("Guide", "Binary data")
    assert outline.path(markdown.index("# not")) == ("Guide", "Binary data")
    assert outline.path(markdown.index("Lines")) == ("Guide", "Text")
    assert outline.path(0) == ("Guide",)
    start, end = outline.span(1)
    assert markdown[start:end].startswith("## Binary data") and "Lines" not in markdown[start:end]
    # reStructuredText: levels in the order the adornment styles first appear, as docutils
    # ranks them (a third style is a third level).
    rst = [(h.level, h.title) for h in headings(GUIDE)]
    assert rst[:3] == [
        (1, "Widget Guide"),
        (2, "Installing the widget tool on a shared server that many people use every day"),
        (3, "Binary data"),
    ]
    # Text without markup (HTML, DOCX and PDF arrive so): a short line standing alone.
    plain = (
        "Summer activities\n\nSwimming in the lake is allowed.\n\nLet's eat\n\n"
        "The barbecue is lit at six."
    )
    assert [h.title for h in headings(plain)] == ["Summer activities", "Let's eat"]


def test_a_question_about_one_section_is_answered_from_that_section(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "orchard.md").write_text(HANDBOOK, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([folder]).ok
    text = rag.read_document(folder / "orchard.md").text
    pests, harvest = text.index("## Pests"), text.index("## Harvest")
    answer = engine.query("What does the handbook say about pests?")
    quoted = [a for c in answer.citations for a, _ in c.quote_spans]
    assert answer.found and len(quoted) == 2, answer.text
    assert all(pests < a < harvest for a in quoted), answer.text
    assert "#" not in answer.text
    assert {c.section for c in answer.citations} == {("Orchard Handbook", "Pests")}
    assert safe("Orchard Handbook > Pests") in render_sources(answer)
    # Only a document is asked what it says about a section; an organisation is asked its view.
    assert asked_section("What does the user guide say about installation?") == "installation"
    assert asked_section("What does the ISA say about unilateral mining?") is None
    # A topic no section is titled with is answered as any question is.
    plain = engine.query("What does the handbook say about how long picked fruit keeps?")
    assert plain.found and "cool, dark and slightly damp store" in plain.text
