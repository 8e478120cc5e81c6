"""Question answering on Natural Questions (../shared/data/nq-oracle), held-out half: answer
recall, lead (the answer's first quoted sentence, before its first [n], holds an accepted answer),
gold passage cited, citation precision, retrieval recall@5, abstention precision/recall when each
question's gold passage is removed (its unanswerable twin: near misses refused) and the median
answer length in words, overall and per kind of fact asked for. With a model (--gguf or --llm-url)
the generative mode is measured side by side, with time to first token and tokens per second.

Run: .venv/bin/python bench/qa.py [--limit N] [--gguf FILE | --llm-url URL] [--llm-limit N] [--lengths]
Prints a table and writes bench/results/qa.json. With --lengths it measures instead what shorter
answers cost: the extractive figures with each stop setting (`_STOPS`), written to
bench/results/qa-lengths.json.

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
from calibrate import NQ, build_index, load_questions, pid_of, retrieve_all
from common import print_table, save

from rag.answer.extractive import compose
from rag.answer.generate import generate
from rag.answer.llm import ChatModel, chat_model
from rag.settings import Settings
from rag.text.asks import asked_kinds
from rag.types import Answer

_CITE_MARK = re.compile(r"\[\d+\]")


def extractive_row(engine, runs: list[dict], settings: Settings | None = None) -> dict:
    """The extractive answers' figures over all `runs` (composed with `settings`, else the
    engine's); `kinds` holds them per question kind."""
    started = time.perf_counter()
    scored = [_scored(engine, run, settings or engine.settings) for run in runs]
    elapsed = time.perf_counter() - started
    kinds: dict[str, list[dict]] = {}
    for item in scored:
        kinds.setdefault(item["kind"], []).append(item)
    return {
        "mode": "extractive",
        **_summary(scored),
        "ms_per_answer": 1000 * elapsed / (2 * len(runs)),
        "kinds": {kind: _summary(group) for kind, group in sorted(kinds.items())},
    }


def _compose(engine, run: dict, passages: list, settings: Settings) -> Answer:
    retriever = engine.retriever
    return compose(
        run["q"],
        run["q"],
        passages,
        engine.embedder,
        settings,
        retriever.sentence_vectors,
        retriever.keyword_overlap(run["q"]),
        retriever.rescaler(run["q"]),
    )


def _scored(engine, run: dict, settings: Settings) -> dict:
    """One question asked with its gold passage and without it (its near-miss twin): lead (the
    text before the first [n] holds an accepted answer), answer (the text does), gold cited,
    citations, the twin refused, and the answer's length in words."""
    answer = _compose(engine, run, run["with_gold"], settings)
    twin = _compose(engine, run, run["without_gold"], settings)
    accepted = [a.lower() for a in run["answers"]]
    lead = _CITE_MARK.split(answer.text, maxsplit=1)[0].lower() if answer.found else ""
    kinds = asked_kinds(run["q"])
    return {
        "kind": kinds[0] if kinds else "other",
        "retrieved": any(pid_of(p) in run["gold"] for p in run["with_gold"][:5]),
        "found": answer.found,
        "lead": any(a in lead for a in accepted),
        "answer": any(a in answer.text.lower() for a in accepted),
        "gold_cited": any(pid_of(c) in run["gold"] for c in answer.citations),
        "cited": len(answer.citations),
        "cited_right": sum(pid_of(c) in run["gold"] for c in answer.citations),
        "twin_refused": not twin.found,
        "words": len(_CITE_MARK.sub("", answer.text).split()) if answer.found else None,
    }


def _summary(scored: list[dict]) -> dict:
    n = max(len(scored), 1)
    refused = sum(s["twin_refused"] for s in scored)
    wrongly = sum(not s["found"] for s in scored)
    words = [s["words"] for s in scored if s["words"] is not None]
    return {
        "questions": len(scored),
        "recall@5": sum(s["retrieved"] for s in scored) / n,
        "lead": sum(s["lead"] for s in scored) / n,
        "answer_recall": sum(s["answer"] for s in scored) / n,
        "gold_cited": sum(s["gold_cited"] for s in scored) / n,
        "citation_precision": sum(s["cited_right"] for s in scored)
        / max(sum(s["cited"] for s in scored), 1),
        "abstention_precision": refused / max(refused + wrongly, 1),
        "abstention_recall": refused / n,
        "median_words": statistics.median(words) if words else 0,
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
            engine.retriever.rescaler(run["q"]),
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
    parser.add_argument(
        "--lengths", action="store_true", help="answer recall against length, by stop setting"
    )
    args = parser.parse_args()
    engine = build_index("nq", NQ / "corpus.jsonl.gz")
    _choose, held_out = load_questions(args.limit)
    if args.remote:
        remote(engine, held_out)
        return
    runs = retrieve_all(engine, held_out, engine.settings.top_k)
    if args.lengths:
        lengths(engine, runs)
        return
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
        print_table([row], [c for c in row if c != "kinds"])
    kinds = [{"kind": kind, **figures} for kind, figures in rows[0]["kinds"].items()]
    print("Extractive, per kind of fact the question asks for (rag.text.asks.asked_kinds):")
    print_table(kinds, list(kinds[0]))
    print(f"wrote {save('qa', {'rows': rows})}")


# Where extractive answers may stop: fewer sentences at most, or a narrower margin under the best
# sentence's score for the others to join it (settings.answer_sentences, settings.sentence_margin).
_STOPS = (
    {"answer_sentences": 1},
    {"answer_sentences": 2},
    {"sentence_margin": 0.1},
    {"sentence_margin": 0.2},
    {},
)


def lengths(engine, runs: list[dict]) -> None:
    """Answer recall, lead and median length with each of `_STOPS`: what shorter answers cost."""
    rows = []
    for stop in _STOPS:
        row = extractive_row(engine, runs, dataclasses.replace(engine.settings, **stop))
        label = ", ".join(f"{k}={v}" for k, v in stop.items()) or "defaults"
        rows.append({"stop": label, **{k: v for k, v in row.items() if k != "kinds"}})
    columns = ["stop", "lead", "answer_recall", "citation_precision", "median_words"]
    print("NQ held-out half, extractive answers by where they stop:")
    print_table(rows, columns)
    print(f"wrote {save('qa-lengths', {'rows': rows})}")


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
    print_table(rows, [c for c in rows[0] if c != "kinds"])
    print(f"wrote {save('qa-remote', {'rows': rows})}")


def _timed_row(engine, held_out: list[dict]) -> dict:
    started = time.perf_counter()
    runs = retrieve_all(engine, held_out, engine.settings.top_k)
    row = extractive_row(engine, runs)
    return {**row, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    main()
