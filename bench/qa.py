"""Question answering on Natural Questions (../shared/data/nq-oracle), held-out half: answer
recall, citation precision, retrieval recall@5, and abstention precision/recall when each
question's gold passage is removed (its unanswerable twin). With a model (--gguf or --llm-url)
the generative mode is measured side by side, with time to first token and tokens per second.

Run: .venv/bin/python bench/qa.py [--limit N] [--gguf FILE | --llm-url URL] [--llm-limit N]
Prints a table and writes bench/results/qa.json.

    .venv/bin/python bench/qa.py --remote [--limit N]

instead compares the extractive answers of the default index with those of an index embedded
through an embedding server (bench/embedding_server.py: the bundled MiniLM on llama.cpp), whose
sentence vectors are each sentence embedded alone and moved halfway toward its chunk's, rather
than pooled from the passage's token vectors (late chunking). Writes bench/results/qa-remote.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import tempfile
import time
from pathlib import Path

import embedding_server
from calibrate import NQ, answer_metrics, build_index, load_questions, pid_of, retrieve_all
from common import print_table, save

from rag.answer.extractive import compose
from rag.answer.generate import generate
from rag.answer.llm import ChatModel, chat_model
from rag.types import Answer

_CITE_MARK = re.compile(r"\[\d+\]")


def extractive_row(engine, runs: list[dict]) -> dict:
    settings = engine.settings
    started = time.perf_counter()
    answers = [
        compose(
            r["q"],
            r["q"],
            r["with_gold"],
            engine.embedder,
            settings,
            engine.retriever.sentence_vectors,
            engine.retriever.keyword_overlap(r["q"]),
            engine.retriever.rescaler(r["q"]),
        )
        for r in runs
    ]
    answered = [a.found for a in answers]
    words = [len(_CITE_MARK.sub("", a.text).split()) for a in answers if a.found]
    twins = [
        compose(
            r["q"],
            r["q"],
            r["without_gold"],
            engine.embedder,
            settings,
            engine.retriever.sentence_vectors,
            engine.retriever.keyword_overlap(r["q"]),
            engine.retriever.rescaler(r["q"]),
        ).found
        for r in runs
    ]
    elapsed = time.perf_counter() - started
    abstained_right = sum(not found for found in twins)
    abstained_wrong = sum(not found for found in answered)
    return {
        "mode": "extractive",
        "questions": len(runs),
        "recall@5": sum(any(pid_of(p) in r["gold"] for p in r["with_gold"][:5]) for r in runs)
        / len(runs),
        **answer_metrics(engine, runs, settings),
        "abstention_precision": abstained_right / max(abstained_right + abstained_wrong, 1),
        "abstention_recall": abstained_right / len(runs),
        "median_words": statistics.median(words) if words else 0,
        "ms_per_answer": 1000 * elapsed / (2 * len(runs)),
    }


def generative_row(engine, runs: list[dict], llm: ChatModel) -> dict:
    settings = dataclasses.replace(engine.settings, answer_mode="generative")
    recall = cited = cited_right = fallbacks = tokens = 0
    first_token, generating = [], 0.0
    for run in runs:
        fallback = compose(
            run["q"],
            run["q"],
            run["with_gold"],
            engine.embedder,
            settings,
            engine.retriever.sentence_vectors,
            engine.retriever.keyword_overlap(run["q"]),
        )
        started = time.perf_counter()
        pieces = 0
        for piece in generate(
            run["q"], run["q"], run["with_gold"], llm, engine.embedder, settings, fallback
        ):
            if isinstance(piece, Answer):
                answer = piece
            else:
                if pieces == 0:
                    first_token.append(time.perf_counter() - started)
                pieces += 1
        generating += time.perf_counter() - started
        tokens += pieces
        fallbacks += answer.mode != "generative"
        recall += any(a.lower() in answer.text.lower() for a in run["answers"])
        cited += len(answer.citations)
        cited_right += sum(pid_of(c) in run["gold"] for c in answer.citations)
    return {
        "mode": f"generative ({llm.name})",
        "questions": len(runs),
        "answer_recall": recall / len(runs),
        "citation_precision": cited_right / max(cited, 1),
        "fallback_rate": fallbacks / len(runs),
        "ttft_ms": 1000 * sorted(first_token)[len(first_token) // 2] if first_token else None,
        "tokens_per_s": tokens / generating if generating else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400, help="held-out questions (extractive)")
    parser.add_argument("--gguf", help="also measure generative answers with this local model")
    parser.add_argument("--llm-url", help="... or with this OpenAI-compatible server")
    parser.add_argument("--llm-model", default="local")
    parser.add_argument("--llm-limit", type=int, default=50, help="questions for generative")
    parser.add_argument("--remote", action="store_true", help="compare an embedding server")
    args = parser.parse_args()
    engine = build_index("nq", NQ / "corpus.jsonl.gz")
    _choose, held_out = load_questions(args.limit)
    if args.remote:
        remote(engine, held_out)
        return
    runs = retrieve_all(engine, held_out, engine.settings.top_k)
    rows = [extractive_row(engine, runs)]
    if args.gguf or args.llm_url:
        settings = dataclasses.replace(
            engine.settings,
            llm_gguf=args.gguf or "",
            llm_url=args.llm_url or "",
            llm_model=args.llm_model,
        )
        rows.append(generative_row(engine, runs[: args.llm_limit], chat_model(settings)))
    print("NQ held-out half (extractive: all questions; generative: the first --llm-limit):")
    for row in rows:
        print_table([row], list(row))
    print(f"wrote {save('qa', {'rows': rows})}")


def remote(engine, held_out: list[dict]) -> None:
    """Extractive answers from the default index and from one embedded through a server."""
    rows = [{"index": "local encoder (late-chunked sentences)", **_timed_row(engine, held_out)}]
    with tempfile.TemporaryDirectory() as folder:
        with embedding_server.running(Path(folder)) as url:
            served = build_index(
                "nq", NQ / "corpus.jsonl.gz", "nq-remote-index", embed_url=url, embed_model="m"
            )
            rows.append(
                {
                    "index": "embedding server (sentences alone, mixed)",
                    **_timed_row(served, held_out),
                }
            )
    print("NQ held-out half, extractive:")
    print_table(rows, list(rows[0]))
    print(f"wrote {save('qa-remote', {'rows': rows})}")


def _timed_row(engine, held_out: list[dict]) -> dict:
    started = time.perf_counter()
    runs = retrieve_all(engine, held_out, engine.settings.top_k)
    row = extractive_row(engine, runs)
    return {**row, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    main()
