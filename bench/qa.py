"""Question answering on Natural Questions (../shared/data/nq-oracle), held-out half, with the
default settings: answer recall, citation precision, retrieval recall@5, and abstention
precision/recall when each question's gold passage is removed (its unanswerable twin).

Run: .venv/bin/python bench/qa.py [--limit N]   (prints a table, writes bench/results/qa.json)
"""

from __future__ import annotations

import argparse
import time

from calibrate import NQ, answer_metrics, build_index, load_questions, pid_of, retrieve_all
from common import print_table, save

from rag.answer import compose


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400, help="held-out questions to ask")
    args = parser.parse_args()
    engine = build_index("nq", NQ / "corpus.jsonl.gz")
    settings = engine.settings
    _choose, held_out = load_questions(args.limit)

    started = time.perf_counter()
    runs = retrieve_all(engine, held_out, settings.top_k)
    recall_at_5 = sum(any(pid_of(p) in r["gold"] for p in r["with_gold"][:5]) for r in runs)
    answers = answer_metrics(engine, runs, settings)
    answered = [
        compose(r["q"], r["q"], r["with_gold"], engine.embedder, settings).found for r in runs
    ]
    twins = [
        compose(r["q"], r["q"], r["without_gold"], engine.embedder, settings).found for r in runs
    ]
    elapsed = time.perf_counter() - started

    abstained_right = sum(not found for found in twins)
    abstained_wrong = sum(not found for found in answered)
    row = {
        "questions": len(runs),
        "recall@5": recall_at_5 / len(runs),
        **answers,
        "abstention_precision": abstained_right / max(abstained_right + abstained_wrong, 1),
        "abstention_recall": abstained_right / len(runs),
        "ms_per_question": 1000 * elapsed / (2 * len(runs)),
    }
    print(
        f"NQ held-out (mode: extractive; min_score={settings.min_score}, "
        f"coverage_weight={settings.coverage_weight}):"
    )
    print_table([row], list(row))
    print(f"wrote {save('qa', {'extractive': row})}")


if __name__ == "__main__":
    main()
