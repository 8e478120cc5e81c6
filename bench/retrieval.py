"""Retrieval quality on BEIR SciFact through `rag.search`: BM25 alone, dense alone, hybrid.

Documents are ranked by their best chunk. `--tune` chooses the fusion weight, then the share of
the dense score taken from a chunk's best sentence, on the *train* queries; the table reports
the *test* queries (never used for choosing).

Run: .venv/bin/python bench/retrieval.py [--tune] [--limit N]
Prints a table and writes bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from pathlib import Path

from common import ROOT, SHARED, print_table, read_jsonl, require, save, write_corpus

import rag
from rag.answer.retrieve import Retriever

SCIFACT = SHARED / "data" / "scifact"
CACHE = ROOT / "bench" / "results" / "cache"


def load_split(split: str) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in require(SCIFACT / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]:
        qid, doc, score = line.split("\t")
        qrels.setdefault(qid, {})[doc] = int(score)
    return qrels


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    return dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


def evaluate(retriever: Retriever, queries: dict[str, str], qrels: dict) -> dict:
    ndcg = recall = 0.0
    started = time.perf_counter()
    for qid, relevant in qrels.items():
        ranked: list[str] = []
        for passage in retriever.search(queries[qid], k=300):
            doc = Path(passage.source).stem
            if doc not in ranked:
                ranked.append(doc)
        ndcg += ndcg_at_10(ranked, relevant)
        recall += len(set(ranked[:100]) & set(relevant)) / len(relevant)
    elapsed = time.perf_counter() - started
    # What a question costs at answer depth: the top 10 passages, question encoding included
    # (the cache of encoded questions is emptied first).
    retriever.embedder.embed_question.cache_clear()
    started = time.perf_counter()
    for qid in qrels:
        retriever.search(queries[qid], k=10)
    top10 = time.perf_counter() - started
    return {
        "ndcg@10": ndcg / len(qrels),
        "recall@100": recall / len(qrels),
        "queries_per_s": len(qrels) / elapsed,
        "ms_per_query": 1000 * elapsed / len(qrels),
        "ms_per_query_k10": 1000 * top10 / len(qrels),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="choose dense_weight on train")
    parser.add_argument("--limit", type=int, default=0, help="use only N queries per split")
    args = parser.parse_args()

    corpus = CACHE / "scifact-corpus"
    write_corpus(read_jsonl(require(SCIFACT / "corpus.jsonl.gz")), corpus)
    engine = rag.RAG(index=CACHE / "scifact-index")
    started = time.perf_counter()
    report = engine.ingest([corpus])
    print(f"index: {report.summary()} in {time.perf_counter() - started:.0f} s")
    queries = {r["_id"]: r["text"] for r in read_jsonl(SCIFACT / "queries.jsonl")}

    def limited(qrels: dict) -> dict:
        return dict(list(qrels.items())[: args.limit]) if args.limit else qrels

    def retriever(**changes: float) -> Retriever:
        settings = dataclasses.replace(engine.settings, **changes)
        return Retriever(engine.store, engine.embedder, settings)

    defaults = engine.settings
    payload: dict = {
        "default_dense_weight": defaults.dense_weight,
        "default_sentence_match_weight": defaults.sentence_match_weight,
    }
    chosen = {
        "dense_weight": defaults.dense_weight,
        "sentence_match_weight": defaults.sentence_match_weight,
    }
    if args.tune:
        train = limited(load_split("train"))
        grid = []
        # First the fusion weight alone, then the sentence share around the best of it.
        for weight in [round(0.1 * i, 1) for i in range(11)]:
            knobs = {"dense_weight": weight, "sentence_match_weight": 0.0}
            grid.append({**knobs, **evaluate(retriever(**knobs), queries, train)})
        best = max(grid, key=lambda r: r["ndcg@10"])["dense_weight"]
        for weight in sorted(
            {round(max(best - 0.1, 0.0), 1), best, round(min(best + 0.1, 1.0), 1)}
        ):
            for share in (0.25, 0.5, 0.75, 1.0):
                knobs = {"dense_weight": weight, "sentence_match_weight": share}
                grid.append({**knobs, **evaluate(retriever(**knobs), queries, train)})
        print("\nTuning on train:")
        print_table(grid, ["dense_weight", "sentence_match_weight", "ndcg@10", "recall@100"])
        payload["tuning"] = grid
        top = max(grid, key=lambda r: r["ndcg@10"])
        chosen = {k: top[k] for k in chosen}
        payload["chosen"] = chosen

    test = limited(load_split("test"))
    weight = chosen["dense_weight"]
    share = chosen["sentence_match_weight"]
    rows = [
        {
            "system": "BM25 (rag keyword side)",
            **evaluate(retriever(dense_weight=0.0, sentence_match_weight=0.0), queries, test),
        },
        {
            "system": "dense MiniLM (rag dense side)",
            **evaluate(retriever(dense_weight=1.0, sentence_match_weight=0.0), queries, test),
        },
        {
            "system": f"hybrid, dense_weight={weight}",
            **evaluate(retriever(dense_weight=weight, sentence_match_weight=0.0), queries, test),
        },
    ]
    if share:
        rows.append(
            {
                "system": f"hybrid + best sentence, dense_weight={weight}, share={share}",
                **evaluate(
                    retriever(dense_weight=weight, sentence_match_weight=share), queries, test
                ),
            }
        )
    print(f"\nSciFact test ({len(test)} queries):")
    print_table(rows, ["system", "ndcg@10", "recall@100", "ms_per_query", "ms_per_query_k10"])
    payload["test"] = rows
    print(f"wrote {save('retrieval', payload)}")


if __name__ == "__main__":
    main()
