"""Choose the answer settings on data: abstention (`min_score`, `coverage_weight`) and sentence
selection (`sentence_weight`, `sentence_keep_ratio`).

Data: NQ-oracle dev questions from ../shared/data/nq-oracle, split by position: even lines
choose the settings, odd lines report them (held out). Each question is asked three ways:
answerable (its gold passage indexed); near miss (the gold passage dropped from the results, as if
never indexed); and, as off-topic questions, SciFact claims asked of the same Wikipedia index.

Run: .venv/bin/python bench/calibrate.py [--limit N]   (prints tables, writes bench/results/calibrate.json)
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
from common import ROOT, SHARED, print_table, read_jsonl, require, save, write_corpus

import rag
from rag.answer import compose, evidence

NQ = SHARED / "data" / "nq-oracle"
SCIFACT_QUERIES = SHARED / "data" / "scifact" / "queries.jsonl"
# Abstention should answer what the documents hold: a question wrongly refused hides content the
# user has, so answerable questions weigh as much as both kinds of unanswerable ones together.
WEIGHTS = {"answerable": 0.5, "near_miss": 0.25, "off_topic": 0.25}
# Citation precision must reach this (the product target); among settings that do, the one with
# the best answer recall wins.
PRECISION_FLOOR = 0.9
CACHE = ROOT / "bench" / "results" / "cache"


def load_questions(limit: int) -> tuple[list[dict], list[dict]]:
    gold: dict[str, str] = {}
    for line in require(NQ / "qrels-dev.tsv").read_text().splitlines()[1:]:
        qid, pid, _score = line.split("\t")
        gold.setdefault(qid, pid)
    questions = [
        {"q": r["text"], "gold": gold[r["_id"]], "answers": r["metadata"]["answers"]}
        for r in read_jsonl(require(NQ / "queries-dev.jsonl"))
        if r["_id"] in gold
    ]
    return questions[0::2][:limit], questions[1::2][:limit]


def build_index() -> rag.RAG:
    corpus = CACHE / "nq-corpus"
    write_corpus(read_jsonl(require(NQ / "corpus.jsonl.gz")), corpus)
    engine = rag.RAG(index=CACHE / "nq-index")
    started = time.perf_counter()
    report = engine.ingest([corpus])
    print(f"index: {report.summary()} in {time.perf_counter() - started:.0f} s")
    return engine


def pid_of(passage: rag.Passage) -> str:
    return Path(passage.source).stem


def retrieve_all(engine: rag.RAG, questions: list[dict], k: int) -> list[dict]:
    """Per question: its top-k (answerable) and the top-k without its gold passage."""
    runs = []
    for item in questions:
        hits = engine.search(item["q"], k=k + 1)
        runs.append(
            {
                **item,
                "with_gold": hits[:k],
                "without_gold": [h for h in hits if pid_of(h) != item["gold"]][:k],
            }
        )
    return runs


def abstention_grid(groups: dict[str, list[list[rag.Passage]]], base: rag.Settings) -> list[dict]:
    """Weighted accuracy of every (coverage_weight, min_score) pair. A question is answered when
    some retrieved passage's evidence reaches min_score; near-miss and off-topic questions
    should not be."""
    rows = []
    for coverage_weight in (0.0, 0.25, 0.5, 0.75, 1.0):
        settings = dataclasses.replace(base, coverage_weight=coverage_weight)
        best = {
            name: np.array(
                [max((evidence(p, settings) for p in hits), default=0.0) for hits in runs]
            )
            for name, runs in groups.items()
        }
        for threshold in np.round(np.arange(0.2, 1.5, 0.01), 2):
            rates = {
                "answerable": float((best["answerable"] >= threshold).mean()),
                "near_miss": float((best["near_miss"] < threshold).mean()),
                "off_topic": float((best["off_topic"] < threshold).mean()),
            }
            score = sum(WEIGHTS[k] * v for k, v in rates.items())
            rows.append(
                {
                    "coverage_weight": coverage_weight,
                    "min_score": float(threshold),
                    "weighted_accuracy": score,
                    **rates,
                }
            )
    return rows


def answer_metrics(engine: rag.RAG, runs: list[dict], settings: rag.Settings) -> dict:
    recall = cited_right = cited = 0
    for run in runs:
        answer = compose(run["q"], run["q"], run["with_gold"], engine.embedder, settings)
        text = answer.text.lower()
        recall += any(a.lower() in text for a in run["answers"])
        cited += len(answer.citations)
        cited_right += sum(pid_of(c) == run["gold"] for c in answer.citations)
    return {
        "answer_recall": recall / len(runs),
        "citation_precision": cited_right / max(cited, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400, help="questions per half")
    args = parser.parse_args()
    engine = build_index()
    choose_q, report_q = load_questions(args.limit)
    claims = [r["text"] for r in read_jsonl(require(SCIFACT_QUERIES))]
    k = engine.settings.top_k
    choose, held_out = retrieve_all(engine, choose_q, k), retrieve_all(engine, report_q, k)
    off_choose = [engine.search(q, k=k) for q in claims[0 : 2 * args.limit : 2]]
    off_held = [engine.search(q, k=k) for q in claims[1 : 2 * args.limit : 2]]

    def groups(runs: list[dict], off: list) -> dict:
        return {
            "answerable": [r["with_gold"] for r in runs],
            "near_miss": [r["without_gold"] for r in runs],
            "off_topic": off,
        }

    grid = abstention_grid(groups(choose, off_choose), engine.settings)
    chosen_abstain = max(grid, key=lambda r: r["weighted_accuracy"])
    base = dataclasses.replace(
        engine.settings,
        min_score=chosen_abstain["min_score"],
        coverage_weight=chosen_abstain["coverage_weight"],
    )
    (held,) = [
        r
        for r in abstention_grid(groups(held_out, off_held), base)
        if r["coverage_weight"] == base.coverage_weight and r["min_score"] == base.min_score
    ]
    columns = [
        "coverage_weight",
        "min_score",
        "weighted_accuracy",
        "answerable",
        "near_miss",
        "off_topic",
    ]
    print("\nAbstention: best per coverage_weight on the choosing half (rates answered/abstained):")
    per_weight = [
        max((r for r in grid if r["coverage_weight"] == w), key=lambda r: r["weighted_accuracy"])
        for w in sorted({r["coverage_weight"] for r in grid})
    ]
    print_table(per_weight, columns)
    print("Chosen, on the held-out half:")
    print_table([held], columns)

    rows = []
    for weight in (0.3, 0.5, 0.7, 1.0):
        for keep in (0.85, 0.9, 0.95, 1.0):
            settings = dataclasses.replace(base, sentence_weight=weight, sentence_keep_ratio=keep)
            rows.append(
                {
                    "sentence_weight": weight,
                    "keep_ratio": keep,
                    **answer_metrics(engine, choose, settings),
                }
            )
    eligible = [r for r in rows if r["citation_precision"] >= PRECISION_FLOOR] or rows
    chosen = max(eligible, key=lambda r: (r["answer_recall"], r["citation_precision"]))
    print("\nSentence selection on the choosing half (answerable questions):")
    print_table(rows, ["sentence_weight", "keep_ratio", "answer_recall", "citation_precision"])
    final = dataclasses.replace(
        base, sentence_weight=chosen["sentence_weight"], sentence_keep_ratio=chosen["keep_ratio"]
    )
    held_answers = answer_metrics(engine, held_out, final)
    print(
        f"\nChosen: min_score={base.min_score} coverage_weight={base.coverage_weight} "
        f"sentence_weight={chosen['sentence_weight']} keep_ratio={chosen['keep_ratio']}"
    )
    print(
        f"Held out: answer recall {held_answers['answer_recall']:.3f}, "
        f"citation precision {held_answers['citation_precision']:.3f}"
    )
    path = save(
        "calibrate",
        {
            "abstention_chosen": chosen_abstain,
            "abstention_held_out": held,
            "abstention_per_weight": per_weight,
            "sentence_grid": rows,
            "sentence_chosen": chosen,
            "answers_held_out": held_answers,
            "questions_per_half": len(choose),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
