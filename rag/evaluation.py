"""Scoring answers against expected quotes: what `rag eval` prints for a team's own questions and
`bench/longform.py` for the project's sets, by one implementation.

A question is a JSON object: `q` (the question), `found` (whether the documents answer it) and
`support` (strings, any of which is the answering sentence or part of it); `kind` groups rows.
Scores per question: lead (the text before the first [n] holds a support string), support (a
cited passage holds one), answer (the answer text holds one), abstention (`found` is right)."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from .api import RAG
from .errors import InvalidInput
from .types import Answer

# The first citation mark ends an answer's lead: its first quoted sentence.
_CITE_MARK = re.compile(r"\[\d+\]")


def normalise(text: str) -> str:
    """Case, whitespace and curly quotes folded, as the long-document set's README scores."""
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(curly, straight)
    return " ".join(text.lower().split())


def score(question: dict, answer: Answer) -> dict:
    """The hits for one question (lead, support and answer only count for answerable ones), and
    the answer's length in words (None when it abstains)."""
    supports = [normalise(s) for s in question["support"]]
    cited = [normalise(c.text) for c in answer.citations]
    text = normalise(answer.text)
    lead = normalise(_CITE_MARK.split(answer.text, maxsplit=1)[0])
    answerable = bool(question["found"])
    return {
        "lead": answerable and any(s in lead for s in supports),
        "support": answerable and any(s in c for s in supports for c in cited),
        "answer": answerable and any(s in text for s in supports),
        "abstention": answer.found == question["found"],
        "words": len(_CITE_MARK.sub("", answer.text).split()) if answer.found else None,
    }


def summarise(results: list[dict]) -> list[dict]:
    """Rows per kind plus an overall row: lead, support and answer over answerable questions."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for result in results:
        groups[result.get("kind") or "-"].append(result)
    rows = []
    for kind, group in [*sorted(groups.items()), ("overall", results)]:
        answerable = [r for r in group if r["found"]]
        near = [r for r in group if r.get("kind") == "near-miss"]
        words = [r["words"] for r in group if r["words"] is not None]
        rows.append(
            {
                "kind": kind,
                "questions": len(group),
                "lead": _share(answerable, "lead"),
                "support": _share(answerable, "support"),
                "answer": _share(answerable, "answer"),
                "abstention": _share(group, "abstention"),
                "near_misses_refused": f"{sum(r['abstention'] for r in near)} of {len(near)}"
                if near
                else "-",
                "median_words": statistics.median(words) if words else "-",
            }
        )
    return rows


def read_questions(path: Path) -> list[dict]:
    """The questions of a JSONL file, each checked: InvalidInput names the line at fault."""
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read the questions file {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            question = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}, line {number}: not JSON ({exc.msg})") from None
        if not (
            isinstance(question, dict)
            and isinstance(question.get("q"), str)
            and isinstance(question.get("found"), bool)
            and isinstance(question.get("support", []), list)
        ):
            raise InvalidInput(
                f'{path}, line {number}: each line needs "q" (text), "found" (true or false) '
                'and "support" (a list of the answering sentences)'
            )
        question.setdefault("support", [])
        questions.append(question)
    if not questions:
        raise InvalidInput(f"{path} holds no questions")
    return questions


def evaluate(engine: RAG, questions: Iterable[dict]) -> tuple[list[dict], list[float]]:
    """Ask each question through `engine.query`: (each question with its scores and answer,
    seconds per question)."""
    engine.warm_up()
    results, times = [], []
    for question in questions:
        started = time.perf_counter()
        answer = engine.query(question["q"])
        times.append(time.perf_counter() - started)
        results.append({**question, **score(question, answer), "answer_text": answer.text})
    return results, times


def table(rows: list[dict], columns: list[str]) -> str:
    """Rows as aligned text columns, shares to three decimals."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [columns, *cells]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in lines
    )


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _share(results: list[dict], key: str) -> float | str:
    return sum(r[key] for r in results) / len(results) if results else "-"
