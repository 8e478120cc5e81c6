"""Answers to JSON and back, exactly: what a reloaded conversation shows is what was shown."""

from __future__ import annotations

import dataclasses
import json

from ..types import Answer, Citation, Passage


def answer_to_json(answer: Answer) -> str:
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False)


def answer_from_json(text: str) -> Answer:
    data = json.loads(text)
    data["citations"] = [_citation(c) for c in data.get("citations", [])]
    data["closest"] = [_passage(p) for p in data.get("closest", [])]
    return Answer(**data)


def _citation(data: dict) -> Citation:
    data["quote_spans"] = tuple(tuple(span) for span in data["quote_spans"])
    data["section"] = tuple(data.get("section", ()))
    return Citation(**data)


def _passage(data: dict) -> Passage:
    data["sections"] = tuple((start, tuple(titles)) for start, titles in data.get("sections", ()))
    return Passage(**data)
