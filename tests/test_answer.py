"""Cited extractive answers, abstention, follow-ups and the public API's fields."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import rag
from rag.answer.evidence import is_evidence
from rag.answer.extractive import compose

from .conftest import CHINA_QUESTION

CHINA_SEED = "seeds/pakistan-us-deals-and-china.md"


def _check_citation_spans(citation: rag.Citation) -> str:
    """Every offset of a citation indexes the source's extracted text exactly; returns that text."""
    text = rag.read_document(citation.source).text
    assert text[citation.start : citation.end] == citation.text
    for start, end in citation.quote_spans:
        assert citation.start <= start < end <= citation.end
        assert text[start:end] in citation.quote
    return text


def test_china_question_cites_the_monitoring_passage(seed_engine: rag.RAG):
    answer = seed_engine.query(CHINA_QUESTION)
    assert answer.found and answer.citations and "[1]" in answer.text
    monitoring = [c for c in answer.citations if "watching these deals carefully" in c.quote]
    assert len(monitoring) == 1, answer.text
    cited = monitoring[0]
    assert Path(cited.source) == Path(CHINA_SEED)
    assert "quietly" in cited.quote and "reassess" in cited.quote and f"[{cited.n}]" in answer.text
    assert cited.page is None and 0 < cited.score <= 1
    for citation in answer.citations:
        _check_citation_spans(citation)
    # Every marker in the text points at a citation, and every citation is used.
    numbers = {c.n for c in answer.citations}
    assert numbers == {n for n in range(1, len(answer.citations) + 1)}
    assert all(f"[{n}]" in answer.text for n in numbers)


def test_china_question_on_the_original_article(engine: rag.RAG, shared: Path):
    engine.ingest([shared / "seeds"])
    answer = engine.query(CHINA_QUESTION)
    assert answer.found
    text = _check_citation_spans(answer.citations[0])
    # The lead quote is Beijing's view: its careful monitoring, or its quiet reassessment.
    lead = answer.text.split(" [1]")[0]
    assert "careful monitoring" in lead or "quietly reassess" in lead, answer.text
    assert lead in " ".join(answer.citations[0].quote.split())
    quotes = answer.citations[0].quote_spans
    assert all(text[a:b].endswith(".") for a, b in quotes)  # whole sentences of that document


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2018 FIFA World Cup final?",
        "What is the recipe for a good sourdough bread?",
        "How many points is a touchdown worth in American football?",
    ],
)
def test_questions_the_documents_cannot_answer_abstain(seed_engine: rag.RAG, question: str):
    answer = seed_engine.query(question)
    assert answer.found is False
    assert answer.citations == []
    assert "do not seem to cover" in answer.text
    settings = seed_engine.settings
    assert answer.closest and not any(is_evidence(p, settings) for p in answer.closest)


def test_follow_up_is_searched_with_its_context(seed_engine: rag.RAG):
    history = [
        {"role": "user", "content": "What deals did Pakistan make with the US?"},
        {"role": "assistant", "content": "Mineral and crypto deals [1]"},
    ]
    answer = seed_engine.query("How does China see them?", history=history)
    assert answer.searched != answer.question and "Pakistan" in answer.searched
    assert answer.found
    assert any("Beijing" in c.quote or "China" in c.quote for c in answer.citations)
    alone = seed_engine.query("How does China see them?")
    assert alone.searched == alone.question


def test_search_returns_passages_best_first(seed_engine: rag.RAG):
    hits = seed_engine.search("mineral deals", k=5)
    assert 1 <= len(hits) <= 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert rag.read_document(hit.source).text[hit.start : hit.end] == hit.text


def test_module_functions_and_index_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    notes = tmp_path / "notes.md"
    notes.write_text("The heron nests in tall trees near water. It eats fish and frogs.")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "env-index"))
    report = rag.ingest([notes])
    assert isinstance(report, rag.IngestReport) and report.added == [str(notes)]
    assert (tmp_path / "env-index" / "manifest.json").exists()
    answer = rag.query("Where does the heron nest?")
    assert isinstance(answer, rag.Answer) and answer.found
    assert "tall trees" in answer.citations[0].quote
    assert rag.search("heron", k=1)[0].source == str(notes)


def test_empty_question_is_a_clear_error(seed_engine: rag.RAG):
    with pytest.raises(ValueError, match="question is empty"):
        seed_engine.query("   ")
    with pytest.raises(ValueError, match="k must be"):
        seed_engine.search("minerals", k=0)


def test_status_counts(seed_engine: rag.RAG):
    status = seed_engine.status()
    assert status.documents == 4
    assert status.chunks == sum(d.chunks for d in seed_engine.documents())
    assert status.size_bytes > 0 and "MiniLM" in status.model


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RAG_CHUNK_SIZE", "500")
    assert rag.Settings.from_env().chunk_size == 500
    monkeypatch.setenv("RAG_CHUNK_SIZE", "big")
    with pytest.raises(ValueError, match="RAG_CHUNK_SIZE"):
        rag.Settings.from_env()


def test_near_copies_do_not_crowd_out_other_passages(engine: rag.RAG, workdir: Path):
    """Four copies of one note (one with a changed word) and a different note on the topic:
    the top three passages hold one copy and the other note, not three copies."""
    note = (
        "The lighthouse keeper on Fara Island logs every storm. In the winter of 1998 the "
        "lamp failed twice, and the keeper kept a fire burning on the cliff instead."
    )
    for i in range(4):
        text = note.replace("twice", "three times") if i == 3 else note
        (workdir / f"copy-{i}.md").write_text(text + "\n", encoding="utf-8")
    (workdir / "other.md").write_text(
        "Storms on Fara Island are logged by the harbour office too; its records of the lamp "
        "begin only in 2005.\n",
        encoding="utf-8",
    )
    engine.ingest([workdir])
    top = engine.search("Who logs storms on Fara Island?", k=3)
    sources = [Path(p.source).name for p in top]
    assert sum(name.startswith("copy-") for name in sources) == 1, sources
    assert "other.md" in sources
    everything = rag.RAG(index=engine.settings.index_dir, duplicate_overlap=1.01)
    assert (
        sum(
            Path(p.source).name.startswith("copy-")
            for p in everything.search("Who logs storms on Fara Island?", k=3)
        )
        >= 2
    )  # without the rule the copies do crowd the top


def test_answer_quotes_one_document_unless_another_is_as_strong(engine: rag.RAG, workdir: Path):
    """The best sentence's document supplies the answer; a weaker sentence from a second
    document (on topic, but not what was asked) is left out, and cited once the rule is off."""
    (workdir / "keeper.md").write_text(
        "The lighthouse keeper on Fara Island logs every storm in a red ledger. The ledger has "
        "recorded storms since 1921. Each entry gives the wind speed and the damage.\n",
        encoding="utf-8",
    )
    (workdir / "harbour.md").write_text(
        "The harbour office on Fara Island also keeps notes on storms, though only since 2005.\n",
        encoding="utf-8",
    )
    engine.ingest([workdir])
    question = "Who records the storms on Fara Island?"
    answer = engine.query(question)
    assert [Path(c.source).name for c in answer.citations] == ["keeper.md"], answer.text
    assert "lighthouse keeper" in answer.text
    settings = engine.settings
    anywhere = rag.RAG(index=settings.index_dir, other_source_margin=settings.sentence_margin)
    cited = {Path(c.source).name for c in anywhere.query(question).citations}
    assert cited == {"keeper.md", "harbour.md"}  # the second document did qualify


def test_a_passage_holding_the_questions_words_is_evidence_though_it_embeds_weakly(
    seed_engine: rag.RAG,
):
    """Questions naming a rare term ("What is Tern Point?") embed weakly; a passage holding the
    question's informative words is evidence at a similarity that alone would be refused, and
    the same similarity without those words, or with coverage not counted, is refused."""
    settings = seed_engine.settings
    similarity = settings.min_score - 0.6 * settings.coverage_weight
    text = "The harbour at Tern Point was dredged in 1998 so that container ships could dock."

    def answer(coverage: float, **changes: float) -> rag.Answer:
        passage = rag.Passage(
            "notes.md", None, 0, len(text), text, similarity, similarity, coverage
        )
        question = "What is Tern Point?"
        chosen = dataclasses.replace(settings, **changes)
        return compose(question, question, [passage], seed_engine.embedder, chosen)

    covered = answer(1.0)
    assert covered.found and covered.citations[0].quote == text
    assert not answer(0.3).found
    assert not answer(1.0, coverage_weight=0.0).found


def test_a_passage_holding_every_keyword_is_evidence_though_it_reads_far_off(
    seed_engine: rag.RAG,
):
    """A quotation can outweigh the role its speaker is named by ("Who is the managing
    director?" reads 0.16 against "Priya Chandran, Managing Director of Fenwick Valley Buses,
    said: ..."): a passage holding all the question's keywords is evidence at any similarity
    from 0.1, one missing some of them is not, nor one whose meaning is unrelated."""
    settings = dataclasses.replace(seed_engine.settings, alone_penalty=2.0)
    text = (
        "Priya Chandran, Managing Director of Fenwick Valley Buses, said the last bus leaves "
        "too early."
    )

    def answer(similarity: float, coverage: float) -> rag.Answer:
        passage = rag.Passage(
            "release.md", None, 0, len(text), text, similarity, similarity, coverage
        )
        question = "Who is the managing director?"
        return compose(question, question, [passage], seed_engine.embedder, settings)

    held = answer(0.16, 1.0)
    assert held.found and "Priya Chandran" in held.text, held.text
    assert not answer(0.16, 0.8).found
    assert not answer(0.05, 1.0).found


def test_an_open_question_is_answered_from_weaker_evidence_than_one_naming_its_fact(
    seed_engine: rag.RAG,
):
    """An open question ("What happens if ...?") is answered in words of its own, so it embeds
    weakly: evidence between `open_min_score` and `min_score` answers it, while "Who ...?" from
    the same passage is refused (sentences read alone off, so only the floors differ)."""
    settings = dataclasses.replace(seed_engine.settings, alone_penalty=2.0)
    assert settings.open_min_score < settings.min_score
    similarity = (settings.open_min_score + settings.min_score) / 2
    text = "A payment that arrives after the 14th is charged a fee and reminded by letter."
    passage = rag.Passage("rent.md", None, 0, len(text), text, similarity, similarity, 0.0)

    def answer(question: str) -> rag.Answer:
        return compose(question, question, [passage], seed_engine.embedder, settings)

    assert answer("What happens if I pay my rent late?").found
    assert answer("According to the agreement, what happens if I pay my rent late?").found
    assert not answer("Who sends the reminder letters?").found
    assert not answer("According to the agreement, who sends the reminder letters?").found
    assert not answer("Who sends the reminder letters?").citations


def test_table_of_contents_lines_are_not_quoted_as_answers(seed_engine: rag.RAG):
    """A contents page names every topic of a report, so it matches questions about the report
    well; its long title-case lines must not be quoted as the answer, the prose must."""
    contents = (
        "Contents\n\n"
        "Regulations for Deep Seabed Mining in Areas Beyond National Jurisdiction and Their Legal Status\n\n"
        "Ratification of the United Nations Convention on the Law of the Sea\n\n"
        "- [Legal Status of Seabed Mining](https://example.org/report#status)\n"
    )
    prose = (
        "Mining of the deep seabed beyond national jurisdiction is regulated by the International "
        "Seabed Authority, which has issued exploration contracts but no exploitation licenses."
    )
    question = "What is the legal status of deep seabed mining beyond national jurisdiction?"
    answer = _compose(seed_engine, question, (contents, 0.9, 0.8, 1.0), (prose, 0.7, 0.6, 0.5))
    assert answer.found and "International Seabed Authority" in answer.text, answer.text
    for heading in ("Ratification", "Regulations for", "Legal Status"):
        assert heading not in answer.text


def test_bibliographic_references_are_not_quoted_as_answers(seed_engine: rag.RAG):
    """Footnotes and reference lists name a report's topics in their titles, so they match
    questions well; the prose that answers must be quoted, not the references."""
    references = (
        "194. | Eva Example et al., “Environmental Risks of an Industrial Deep-Sea Mining Trial,” "
        "Ocean Ecology, vol. 10 (2026), pp. 318-329.\n"
        '^ Doe, Jane. "Deep-sea mining risks". Ocean News. Retrieved 2024-05-01.\n'
        "See “Environmental Risks of Deep-Sea Mining,” https://example.org/deep-sea-risks.\n"
    )
    prose = (
        "Deep-sea mining could destroy seafloor habitats and smother marine life under the "
        "sediment plumes that collector vehicles stir up."
    )
    question = "What environmental risks does deep-sea mining pose?"
    answer = _compose(seed_engine, question, (references, 0.9, 0.8, 1.0), (prose, 0.7, 0.6, 0.5))
    assert answer.found and "sediment plumes" in answer.text, answer.text
    for reference in ("et al.", "Ocean News", "Retrieved", "Deep-sea mining risks", "example.org"):
        assert reference not in answer.text, answer.text


def test_a_statement_with_a_link_is_still_quoted(seed_engine: rag.RAG):
    """A URL alone does not make a reference: "where can I get it" is answered by one."""
    link = "The survey data can be downloaded from https://example.org/survey-data."
    other = "The survey ran for three years and covered four hundred households."
    question = "Where can I download the survey data?"
    answer = _compose(seed_engine, question, (link, 0.8, 0.8, 1.0), (other, 0.6, 0.6, 0.5))
    assert answer.found and "https://example.org/survey-data" in answer.text, answer.text


def _compose(
    engine: rag.RAG, question: str, *passages: tuple[str, float, float, float]
) -> rag.Answer:
    """`compose` over passages of one made-up document, each given as (text, score, similarity,
    coverage) and laid out one after another."""
    laid_out, start = [], 0
    for text, *scores in passages:
        laid_out.append(rag.Passage("report.md", None, start, start + len(text), text, *scores))
        start += len(text) + 1
    return compose(question, question, laid_out, engine.embedder, engine.settings)


def test_a_passage_that_answers_is_quoted_even_without_a_full_statement(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    # The answer runs into markup, so it is no clean statement; the other file is off topic.
    (folder / "notes.md").write_text("Puffins nest in burrows on sea cliffs <br/> <hr/>\n")
    (folder / "report.md").write_text(
        "The committee met in March. It reviewed the budget for the coming year. "
        "Members agreed to meet again in the autumn.\n"
    )
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([folder])
    answer = engine.query("Where do puffins nest?")
    assert answer.found and "burrows on sea cliffs" in answer.text
    assert [Path(c.source).name for c in answer.citations] == ["notes.md"]


def test_one_article_answers_what_it_says_in_other_words(shared: Path, tmp_path: Path):
    """Over the seeds' news article alone (a dozen chunks on one subject), "What does
    Washington hope to gain?" is answered by "Washington appears cautiously optimistic, viewing
    ... as opportunities to deepen economic ties ..." only because the closest passages'
    sentences are also read alone when nothing is evidence (pooled with their passages they
    read 0.37, alone 0.49; `alone_penalty`), or because it is an open question, whose floor
    (`open_min_score`) the pooled sentences reach."""
    article = next((shared / "seeds").iterdir())
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([article]).ok
    question = "What does Washington hope to gain?"
    gain = engine.query(question)
    assert gain.found and "opportunities to deepen economic ties" in gain.text, gain.text
    pooled_only = rag.RAG(index=tmp_path / "index", alone_penalty=2.0).query(question)
    assert pooled_only.found and "opportunities to deepen economic ties" in pooled_only.text
    floor = engine.settings.min_score
    neither = rag.RAG(index=tmp_path / "index", alone_penalty=2.0, open_min_score=floor)
    assert not neither.query(question).found


def test_a_quote_leaves_off_a_footnote_number_glued_to_its_stop(tmp_path: Path):
    """PDF text glues footnote numbers to a sentence's stop ("... minerals.166"): quoted beside
    the answer's own [1] it would read as part of the citation. The quote and its span end at
    the stop; the number stays in the document's text."""
    text = (
        "China holds five exploration contracts for polymetallic nodules, more than any other "
        "country.166 The authority meets each July in Kingston to review them.167\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.txt").write_text(text, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([tmp_path / "docs"]).ok
    answer = engine.query("How many exploration contracts does China hold?")
    assert answer.found and "country. [1]" in answer.text, answer.text
    assert "166" not in answer.text and "166" not in answer.citations[0].quote
    _check_citation_spans(answer.citations[0])
    start, end = answer.citations[0].quote_spans[0]
    assert rag.read_document(answer.citations[0].source).text[start:end].endswith("country.")
