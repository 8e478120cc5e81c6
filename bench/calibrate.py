"""Choose the answer settings on data: the abstention threshold (`min_score`) and the sentence
scoring (`sentence_weight`, `sentence_keep_ratio`).

Data: NQ-oracle dev questions from ../shared/data/nq-oracle. Questions are split by position:
even lines choose the settings, odd lines report them (held out). A question is "answerable" with
its gold passage in the index; its "unanswerable" twin is the same question with the gold passage
removed from the results (the gold passage dropped, as if it had never been indexed).

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
from rag.answer import compose

NQ = SHARED / "data" / "nq-oracle"
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


def best_threshold(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """The threshold maximising balanced accuracy (mean of answered-rate and abstained-rate)."""
    best = (0.0, 0.0)
    for t in np.round(np.arange(0.10, 0.80, 0.01), 2):
        score = ((pos >= t).mean() + (neg < t).mean()) / 2
        if score > best[1]:
            best = (float(t), float(score))
    return best


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
    k = engine.settings.top_k
    choose, held_out = retrieve_all(engine, choose_q, k), retrieve_all(engine, report_q, k)

    def tops(runs: list[dict], key: str) -> np.ndarray:
        return np.array([r[key][0].score if r[key] else 0.0 for r in runs])

    threshold, balanced = best_threshold(tops(choose, "with_gold"), tops(choose, "without_gold"))
    pos, neg = tops(held_out, "with_gold"), tops(held_out, "without_gold")
    abstention = {
        "min_score": threshold,
        "balanced_accuracy_choose": balanced,
        "answered_when_answerable_held_out": float((pos >= threshold).mean()),
        "abstained_when_unanswerable_held_out": float((neg < threshold).mean()),
    }
    print("\nAbstention threshold (chosen on even questions, reported on odd):")
    print_table([abstention], list(abstention))

    base = dataclasses.replace(engine.settings, min_score=threshold)
    rows = []
    for weight in (0.3, 0.5, 0.7, 1.0):
        for keep in (0.8, 0.9, 1.0):
            settings = dataclasses.replace(base, sentence_weight=weight, sentence_keep_ratio=keep)
            rows.append(
                {
                    "sentence_weight": weight,
                    "keep_ratio": keep,
                    **answer_metrics(engine, choose, settings),
                }
            )
    # Citation precision first (a wrong citation is the worse failure), then answer recall.
    chosen = max(rows, key=lambda r: (round(r["citation_precision"], 2), r["answer_recall"]))
    print("\nSentence scoring on the choosing half:")
    print_table(rows, ["sentence_weight", "keep_ratio", "answer_recall", "citation_precision"])
    final = dataclasses.replace(
        base, sentence_weight=chosen["sentence_weight"], sentence_keep_ratio=chosen["keep_ratio"]
    )
    held = answer_metrics(engine, held_out, final)
    print(
        f"\nChosen: sentence_weight={chosen['sentence_weight']} keep_ratio={chosen['keep_ratio']}; "
        f"held out: answer recall {held['answer_recall']:.3f}, "
        f"citation precision {held['citation_precision']:.3f}"
    )
    path = save(
        "calibrate",
        {
            "abstention": abstention,
            "grid": rows,
            "chosen": chosen,
            "held_out": held,
            "questions_per_half": len(choose),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
