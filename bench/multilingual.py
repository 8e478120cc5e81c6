"""Answers in other languages: XQuAD's 240 paragraphs and their questions in six languages.

    python bench/multilingual.py [--questions 200] [--languages en,de,...] [--model NAME]

One index per document language (a `.txt` per paragraph), built through `rag.ingest`; each
question asked through `rag.query` and `rag.search` (scoring: ../shared/data/xquad-dev/README.md):
answer recall (found, and an accepted answer in the answer's text), gold cited (a citation from
the question's own paragraph), recall@5, found; and `abstained` on a second index of the same
paragraphs less those the asked questions come from (found must be false there: the honest
answer is "not in your documents"). `en>es` asks the English questions over the Spanish
paragraphs. Prints a table and writes bench/results/multilingual.json.

    python bench/multilingual.py --data DIR --languages el,ro,ru,th,tr,vi --cross "en>ru,en>th"

reads `xquad.<language>.json.gz` from DIR instead (English's too, for `en>...`): XQuAD's other
languages, which are not in ../shared/ (docs/benchmarks.md, "Languages no rule was chosen on",
says where they came from).

    python bench/multilingual.py --calibrate [--questions 80]

instead measures what index/similarity.py's e5 profile holds: per set, the cosine of 150
questions with their own paragraph and with the others (floor and spread, then how many
spreads up the answering paragraph sits), and how many answerable questions are answered and
unanswerable ones refused as the shift is moved (its current value subtracted first). Writes
bench/results/multilingual-calibration.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, print_table, require, save  # noqa: E402

import rag  # noqa: E402

XQUAD = SHARED / "data" / "xquad-dev"
LANGUAGES = ("en", "de", "es", "zh", "ar", "hi")
CROSS = (("en", "es"),)  # (questions, paragraphs)
# Held out when abstention is measured: the paragraphs of this share of the questions asked.
_ABSENT_SHARE = 0.5


def load(language: str) -> tuple[list[str], list[dict]]:
    """XQuAD in `language`: its paragraphs in order, and its questions, each with the position
    of its paragraph and its accepted answers."""
    path = require(XQUAD / f"xquad.{language}.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)["data"]
    paragraphs, questions = [], []
    for article in data:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = sorted({a["text"] for a in qa["answers"]})
                questions.append(
                    {"paragraph": len(paragraphs), "question": qa["question"], "answers": answers}
                )
            paragraphs.append(paragraph["context"])
    return paragraphs, questions


def sample(questions: list[dict], count: int) -> list[dict]:
    """The same `count` questions in every language (XQuAD's align by position)."""
    picked = sorted(random.Random(0).sample(range(len(questions)), min(count, len(questions))))
    return [questions[i] for i in picked]


def build(paragraphs: list[str], folder: Path, left_out: set[int] = frozenset()) -> rag.RAG:
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for n, text in enumerate(paragraphs):
        if n not in left_out:
            (docs / f"p{n:03d}.txt").write_text(text + "\n", encoding="utf-8")
    engine = rag.RAG(index=folder / "index")
    report = engine.ingest([docs])
    assert report.ok, report.failed
    return engine


def score(engine: rag.RAG, questions: list[dict], asked: list[str]) -> dict:
    answered = cited = at5 = found = 0
    seconds = []
    for item, question in zip(questions, asked, strict=True):
        gold = f"p{item['paragraph']:03d}.txt"
        began = time.perf_counter()
        answer = engine.query(question)
        seconds.append(time.perf_counter() - began)
        found += answer.found
        text = answer.text.casefold()
        answered += answer.found and any(a.casefold() in text for a in item["answers"])
        cited += any(Path(c.source).name == gold for c in answer.citations)
        at5 += any(Path(p.source).name == gold for p in engine.search(question, k=5))
    n = max(len(questions), 1)
    seconds.sort()
    return {
        "questions": len(questions),
        "answer_recall": answered / n,
        "gold_cited": cited / n,
        "recall@5": at5 / n,
        "found": found / n,
        "p50_ms": 1000 * seconds[len(seconds) // 2] if seconds else 0.0,
    }


def abstention(paragraphs: list[str], questions: list[dict], work: Path) -> float:
    """Share of questions answered "not found" once their paragraphs are gone from the index."""
    chosen = questions[: int(len(questions) * _ABSENT_SHARE)]
    engine = build(paragraphs, work / "absent", {q["paragraph"] for q in chosen})
    return sum(not engine.query(q["question"]).found for q in chosen) / max(len(chosen), 1)


def floors(sets: list[str]) -> list[dict]:
    """The e5 cosine of each set's questions with their own paragraph and with the others."""
    from rag.index.embed import get_embedder
    from rag.settings import DEFAULT_MODEL

    embedder = get_embedder(rag.Settings(embed_model=DEFAULT_MODEL))
    rows = []
    for pair in sets:
        asked, documents = pair.split(">") if ">" in pair else (pair, pair)
        paragraphs, questions = load(documents)
        chosen, spoken = sample(questions, 150), sample(load(asked)[1], 150)
        scores = np.stack([embedder.embed_question(q["question"]) for q in spoken]) @ (
            embedder.embed(paragraphs).T
        )
        own = np.zeros_like(scores, dtype=bool)
        own[np.arange(len(chosen)), [q["paragraph"] for q in chosen]] = True
        gold, other = scores[own], scores[~own]
        spread = float(other.std())
        rows.append(
            {
                "set": pair,
                "gold": float(gold.mean()),
                "floor": float(other.mean()),
                "spread": spread,
                "spreads_up": float((gold.mean() - other.mean()) / spread),
            }
        )
    return rows


def shifts(sets: list[str], count: int, work: Path) -> list[dict]:
    """Answered (of answerable) and refused (of unanswerable) questions per set as the shift of
    the e5 profile moves, from each question's best evidence among 10 passages."""
    from rag.index.similarity import _PROFILES, _floor

    profile = _PROFILES["e5"]
    best: dict[str, tuple[list[float], list[float]]] = {}
    for pair in sets:
        asked, documents = pair.split(">") if ">" in pair else (pair, pair)
        paragraphs, questions = load(documents)
        chosen, spoken = sample(questions, count), sample(load(asked)[1], count)
        now = _floor(profile, asked, documents)[2]
        engine = build(paragraphs, work / f"{pair}-all")
        answerable = [_strongest(engine, q["question"]) - now for q in spoken]
        half = len(chosen) // 2
        absent = build(paragraphs, work / f"{pair}-absent", {q["paragraph"] for q in chosen[:half]})
        best[pair] = (answerable, [_strongest(absent, q["question"]) - now for q in spoken[:half]])
    settings = rag.Settings()
    rows = []
    for shift in (0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14):
        row: dict = {"shift": shift}
        for pair, (answerable, unanswerable) in best.items():
            floor = settings.min_score - shift
            answered = np.mean([e >= floor for e in answerable])
            refused = np.mean([e < floor for e in unanswerable])
            row[pair] = f"{answered:.2f}/{refused:.2f}"
        rows.append(row)
    return rows


def _strongest(engine: rag.RAG, question: str) -> float:
    """The best evidence (similarity plus weighted coverage) among the question's 10 passages."""
    from rag.answer.evidence import evidence

    passages = engine.search(question, k=10)
    return max((evidence(p, engine.settings) for p in passages), default=0.0)


def calibrate(args: argparse.Namespace) -> None:
    sets = [x for x in args.languages.split(",") if x] + [x for x in args.cross.split(",") if x]
    work = Path(tempfile.mkdtemp(prefix="rag-xquad-calibrate-"))
    try:
        measured = floors(sets)
        print_table(measured, ["set", "gold", "floor", "spread", "spreads_up"])
        moved = shifts(sets, args.questions, work)
        print("\nanswered/refused as the shift moves (answerable / unanswerable questions):")
        print_table(moved, ["shift", *sets])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    payload = {"floors": measured, "shifts": moved}
    print(f"wrote {save('multilingual-calibration', payload)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200, help="questions per language")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--cross", default=",".join(f"{q}>{d}" for q, d in CROSS))
    parser.add_argument("--model", help="RAG_EMBED_MODEL for this run")
    parser.add_argument("--data", type=Path, help="folder of xquad.<language>.json.gz files")
    parser.add_argument("--no-abstention", action="store_true")
    parser.add_argument("--calibrate", action="store_true", help="the e5 profile's figures")
    args = parser.parse_args()
    if args.calibrate:
        calibrate(args)
        return
    if args.model:
        os.environ["RAG_EMBED_MODEL"] = args.model
    if args.data:
        global XQUAD
        XQUAD = args.data
    rows = []
    work = Path(tempfile.mkdtemp(prefix="rag-xquad-"))
    try:
        for language in [x for x in args.languages.split(",") if x]:
            paragraphs, questions = load(language)
            chosen = sample(questions, args.questions)
            engine = build(paragraphs, work / language)
            row = {"set": language, **score(engine, chosen, [q["question"] for q in chosen])}
            if not args.no_abstention:
                row["abstained"] = abstention(paragraphs, chosen, work / language)
            rows.append(row)
            print_table(rows[-1:], list(row))
        for pair in [x for x in args.cross.split(",") if x]:
            asked, documents = pair.split(">")
            paragraphs, questions = load(documents)
            chosen = sample(questions, args.questions)
            english = sample(load(asked)[1], args.questions)
            engine = build(paragraphs, work / pair.replace(">", "-"))
            row = {"set": pair, **score(engine, chosen, [q["question"] for q in english])}
            rows.append(row)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    columns = ["set", "questions", "answer_recall", "gold_cited", "recall@5", "found"]
    print()
    print_table(rows, columns + ["abstained", "p50_ms"])
    model = os.environ.get("RAG_EMBED_MODEL", "default")
    print(f"wrote {save('multilingual', {'model': model, 'rows': rows})}")


if __name__ == "__main__":
    main()
