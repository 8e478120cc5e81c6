"""A small, fast slice of each benchmark, so the benchmark code cannot rot unnoticed."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.answer.retrieve import Retriever
from rag.evaluation import score
from rag.text.chunking import sentence_spans

from .conftest import DOCS, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import calibrate  # noqa: E402
import ingest as ingest_bench  # noqa: E402
import latency  # noqa: E402
import longform  # noqa: E402
import retrieval  # noqa: E402
from common import read_jsonl, write_corpus  # noqa: E402

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out

QUERIES = 12


@pytest.fixture(scope="module")
def scifact_slice(tmp_path_factory: pytest.TempPathFactory) -> tuple[rag.RAG, dict, dict]:
    qrels = dict(list(retrieval.load_split("test").items())[:QUERIES])
    gold = {doc for docs in qrels.values() for doc in docs}
    corpus = read_jsonl(retrieval.SCIFACT / "corpus.jsonl.gz")
    chosen = [r for r in corpus if r["_id"] in gold] + [
        r for r in corpus[:150] if r["_id"] not in gold
    ]
    folder = tmp_path_factory.mktemp("scifact") / "corpus"
    write_corpus(chosen, folder)
    engine = rag.RAG(index=folder.parent / "index")
    assert engine.ingest([folder]).ok
    queries = {r["_id"]: r["text"] for r in read_jsonl(retrieval.SCIFACT / "queries.jsonl")}
    return engine, queries, qrels


def test_retrieval_bench_slice(scifact_slice):
    engine, queries, qrels = scifact_slice
    scores = {}
    for name, weight in (("bm25", 0.0), ("dense", 1.0), ("hybrid", engine.settings.dense_weight)):
        settings = dataclasses.replace(engine.settings, dense_weight=weight)
        row = retrieval.evaluate(Retriever(engine.store, engine.embedder, settings), queries, qrels)
        assert 0 <= row["ndcg@10"] <= 1 and 0 <= row["recall@100"] <= 1
        scores[name] = row["ndcg@10"]
    # On a ~170-document slice every system finds most gold abstracts; hybrid must not fall
    # below the weaker side.
    assert scores["hybrid"] >= min(scores["bm25"], scores["dense"])
    assert scores["hybrid"] > 0.6


def test_ndcg_metric_on_known_rankings():
    assert retrieval.ndcg_at_10(["a", "b"], {"a": 1}) == 1.0
    assert retrieval.ndcg_at_10(["x", "a"], {"a": 1}) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert retrieval.ndcg_at_10(["x"] * 10, {"a": 1}) == 0.0


def test_qa_bench_slice(tmp_path: Path):
    questions, _ = calibrate.load_questions(QUERIES)
    gold = {pid for q in questions for pid in q["gold"]}
    corpus = read_jsonl(calibrate.NQ / "corpus.jsonl.gz")
    chosen = [r for r in corpus if r["_id"] in gold] + [
        r for r in corpus[:120] if r["_id"] not in gold
    ]
    write_corpus(chosen, tmp_path / "corpus")
    engine = rag.RAG(index=tmp_path / "index")
    engine.ingest([tmp_path / "corpus"])
    runs = calibrate.retrieve_all(engine, questions, engine.settings.top_k)
    hit_at_5 = sum(any(calibrate.pid_of(p) in r["gold"] for p in r["with_gold"]) for r in runs)
    assert hit_at_5 / len(runs) >= 0.8
    assert all(calibrate.pid_of(p) not in r["gold"] for r in runs for p in r["without_gold"])
    metrics = calibrate.answer_metrics(engine, runs, engine.settings)
    assert 0 < metrics["answer_recall"] <= 1 and 0 < metrics["citation_precision"] <= 1


def test_abstention_calibration_slice(seed_engine: rag.RAG):
    """Short questions come one per NQ title, bracketed parts dropped, each half its own titles;
    the abstention choice meets the answer floor in every set it is given, and among the
    settings that do, abstains most (or, within half a point of that, answers most)."""
    choose, held = calibrate.load_titles(QUERIES)
    assert len(choose) == len(held) == QUERIES
    assert {q["q"] for q in choose}.isdisjoint(q["q"] for q in held)
    assert all(q["gold"] and "(" not in q["q"] and q["q"].startswith("What is ") for q in choose)

    def search(questions: list[str]) -> list[list[rag.Passage]]:
        return [seed_engine.search(q, k=5) for q in questions]

    answerable = search(["What is CPEC?", "What is a stablecoin?", "What is Gwadar?"])
    off_topic = search(["Who won the 2018 FIFA World Cup?", "How do I bake sourdough bread?"])
    sets = {
        "one": {"answerable": answerable, "near_miss": [], "off_topic": off_topic},
        "two": {"answerable": answerable[:1], "near_miss": [], "off_topic": off_topic[:1]},
    }
    chosen, grid = calibrate.choose_abstention(sets, seed_engine.settings)
    eligible = [r for r in grid if r["worst_answerable"] >= calibrate.RECALL_FLOOR]
    assert eligible and chosen in eligible
    most = max(r["abstained"] for r in eligible)
    assert chosen["abstained"] >= most - 0.005
    close = [r for r in eligible if r["abstained"] >= most - 0.005]
    assert chosen["worst_answerable"] == max(r["worst_answerable"] for r in close)
    for name, groups in sets.items():
        settings = dataclasses.replace(
            seed_engine.settings,
            min_score=chosen["min_score"],
            coverage_weight=chosen["coverage_weight"],
        )
        assert calibrate.rates(groups, settings) == chosen["per_set"][name]


def test_latency_bench_slice(seed_engine: rag.RAG, tmp_path: Path):
    """The latency bench grows an index with blended chunks and measures rag.query on it."""
    base = latency.base_chunks(seed_engine, gold=set())
    size = 5 * len(base)
    folder = latency.build_sized(seed_engine, size, set(), tmp_path / "grown")
    grown = rag.RAG(index=folder)
    assert grown.status().chunks == size
    for passage in grown.search("critical minerals and China", k=20):
        stored = grown.store.sentence_vectors(passage.chunk_id)
        # Blends are split as ingest would split them, so answers use their stored vectors.
        assert stored is not None and len(stored.spans) == len(sentence_spans(passage.text))
        assert np.allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, atol=1e-2)
    questions = ["How does China view these deals?", "What is CPEC?", "Why?", "Who pays?", "When?"]
    row = latency.measure(folder, questions)
    assert row["chunks"] == size and 0 < row["p50_ms"] <= row["p95_ms"]
    assert row["add_one_file_s"] > 0
    assert rag.RAG(index=folder).status().chunks == size  # the added file is removed again


def test_ingest_bench_baseline_slice(seed_engine: rag.RAG, tmp_path: Path):
    """The naive LlamaIndex baseline runs, and the token count shows what it cuts off: a long
    report in 1,024-token nodes loses most of each node to the model's 256-token window."""
    folder = tmp_path / "docs"
    folder.mkdir()
    report = (DOCS / "IF12672v12-russias-nuclear-weapons.md").read_text(encoding="utf-8")
    (folder / "report.md").write_text(report, encoding="utf-8")
    seconds, texts = ingest_bench.naive_llama_index([folder], tmp_path / "naive")
    assert seconds > 0 and texts
    model = seed_engine.embedder._model
    read, cut = ingest_bench.embedded_tokens(texts, model)
    assert read <= 256 * len(texts) and cut > 0
    document = rag.read_document(folder / "report.md")
    chunks = [c.text for c in ingest_bench.chunk_document(document, 800, 150)]
    ours_read, ours_cut = ingest_bench.embedded_tokens(chunks, model)
    assert ours_read > read and ours_cut < cut


def test_longform_bench_slice(tmp_path: Path, capsys: pytest.CaptureFixture):
    """The long-document bench on its two shorter documents (a web page, a manual page): the
    scores it prints are the README's, so the slice must reach what the full run reached on
    them (support and answer 1.0 but for one duck question, abstention 1.0, 2026-11-29)."""
    questions = [
        q
        for q in read_jsonl(longform.SETS["dev"])
        if q["doc"] in (None, "docs/wiki_duck.html", "docs/amt_handbook_sample.pdf")
    ]
    assert len(questions) == 21
    results, times = longform.run(questions, tmp_path / "index")
    overall = longform.summarise(results)[-1]
    assert overall["kind"] == "overall" and overall["questions"] == 21
    assert overall["support"] >= 0.9 and overall["answer"] >= 0.9
    assert overall["abstention"] >= 0.9
    assert len(times) == 21
    # `rag eval` on the same index and questions prints the same figures: one scoring code.
    from rag.serve.cli import main as rag_cli

    capsys.readouterr()
    asked = tmp_path / "questions.jsonl"
    asked.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    assert rag_cli(["eval", str(asked), "--json", "--index", str(tmp_path / "index")]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == longform.summarise(results)
    # Scoring: a support string counts after folding case, spaces and curly quotes.
    answer = rag.Answer("q", "A  male is called a ‘drake’ [1]", True)
    hits = score({"support": ["a male is called a 'drake'"], "found": True}, answer)
    assert hits == {
        "lead": True,
        "support": False,
        "answer": True,
        "abstention": True,
        "words": 6,
    }
    # Lead: only the text before the first [n] counts.
    later = rag.Answer("q", "Ducks swim. [1] A male is called a ‘drake’. [1]", True)
    hits = score({"support": ["a male is called a 'drake'"], "found": True}, later)
    assert (hits["lead"], hits["answer"], hits["words"]) == (False, True, 8)


def test_multilingual_bench_slice(tmp_path: Path):
    """bench/multilingual.py on 30 Arabic questions over XQuAD's 240 Arabic paragraphs: the
    index takes the multilingual model by itself, and the figures stay near the full run's
    (answer recall 0.8+, gold cited 0.85+ on 200 questions; docs/benchmarks.md, "Languages")."""
    import multilingual

    paragraphs, questions = multilingual.load("ar")
    chosen = multilingual.sample(questions, 30)
    engine = multilingual.build(paragraphs, tmp_path / "ar")
    assert engine.status().model == "intfloat/multilingual-e5-small"
    row = multilingual.score(engine, chosen, [q["question"] for q in chosen])
    assert row["recall@5"] >= 0.9 and row["gold_cited"] >= 0.75 and row["answer_recall"] >= 0.65
