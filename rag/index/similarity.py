"""Cosine similarity on one scale for every model and language, so the thresholds chosen on data
(abstention's `min_score`, the sentence weights) mean the same whatever wrote the vectors.

MiniLM's cosines spread widely: on XQuAD English a question scores 0.57 on average with its own
paragraph and 0.02 with the others (spread 0.09). multilingual-e5-small's crowd into a narrow band
whose floor moves with the script: a question scores 0.74-0.77 with unrelated paragraphs in
English, German, Spanish, Arabic and Hindi, 0.81 in Chinese, and 0.70-0.72 with paragraphs in
another language than its own (spread 0.02 throughout). Counted in spreads above that floor,
answering paragraphs sit 4.5-5 spreads up in every language, as MiniLM's do, so such a model's
cosine is mapped to MiniLM's scale: `_TARGET_FLOOR + _TARGET_SPREAD * (cosine - floor) / spread`
(`bench/multilingual.py --calibrate` measures it; docs/benchmarks.md, "Languages"). The floor
is a fixed property of the model and the scripts, not of the index: a corpus on one topic (a
report, the seeds) sits high above it, as it should."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..text.languages import UNSPACED_LANGUAGES, script

# MiniLM's question-to-other-paragraph cosine on XQuAD English, and its spread: rag's thresholds
# were chosen on its scale.
_TARGET_FLOOR, _TARGET_SPREAD = 0.024, 0.092


class _Profile:
    """A model's floor and spread of unrelated cosines (XQuAD, 150 questions per set): for its
    question and passage in one language written with spaces (en 0.742, de 0.757, es 0.766, ar
    0.759, hi 0.761), in one written without (zh 0.813), or in two languages (en>es, en>de,
    de>en 0.714-0.717, en>zh 0.698); and the shift that balances answering and abstaining over the
    dev sets (bench/multilingual.py): of 0.04, 0.07 and 0.10, the largest that kept every dev
    language's abstention (its question's paragraph removed) at 0.7 or more, on 200 questions
    each, 100 of them for abstention (0.10 left Spanish at 0.67). A passage in another
    language than its question's also shares none of its keywords, which raise same-language
    answers; it gets `crossing_shift` more, the largest that kept English questions over Spanish
    and German paragraphs abstaining at 0.8 or more. The unspaced floor is set 0.012 below the
    measured one: at the measured floor Chinese, the one such dev language, answered 0.90 of its
    answerable questions and abstained on 0.90 of the others, where the spaced languages sat
    near 0.93 and 0.8; 0.012 lower gave 0.92 and 0.80 (100 questions). A passage in another
    script than its question's (English over Chinese, Arabic, Hindi) shares no name with it and
    its answering paragraphs sit fewer spreads up; it gets `script_shift` more, the largest that
    kept each such dev pair refusing half its unanswerable questions (docs/benchmarks.md,
    "Across scripts")."""

    spaced = (0.757, 0.023)
    unspaced = (0.801, 0.019)
    crossing = (0.711, 0.024)
    shift = 0.07
    crossing_shift = 0.10
    script_shift = 0.07


# Models whose cosines need mapping, by a fragment of their name.
_PROFILES = {"e5": _Profile()}
Rescale = Callable[[np.ndarray, Sequence[str]], np.ndarray]


def rescaler(model: str, question_language: str) -> Rescale:
    """A function putting `model`'s cosines between a question in `question_language` and
    passages in the given languages on MiniLM's scale (the identity for MiniLM's own)."""
    profile = _profile(model)
    if profile is None:
        return _same

    def rescale(cosines: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        floors = np.array(
            [_floor(profile, question_language, lang) for lang in languages], dtype=np.float64
        ).reshape(-1, 3)
        values = np.asarray(cosines, dtype=np.float64)
        mapped = _TARGET_FLOOR + _TARGET_SPREAD * (values - floors[:, 0]) / floors[:, 1]
        return (mapped + floors[:, 2]).astype(np.float32)

    return rescale


def _floor(profile: _Profile, question: str, passage: str) -> tuple[float, float, float]:
    """(floor, spread, shift) for a question in language `question` and a passage in `passage`."""
    if question and passage and question != passage:
        shift = profile.shift + profile.crossing_shift
        if script(question) != script(passage):
            shift += profile.script_shift
        return (*profile.crossing, shift)
    language = passage or question
    kind = profile.unspaced if language in UNSPACED_LANGUAGES else profile.spaced
    return (*kind, profile.shift)


def _profile(model: str) -> _Profile | None:
    name = model.lower().rsplit("/", 1)[-1]
    return next((profile for fragment, profile in _PROFILES.items() if fragment in name), None)


def _same(cosines: np.ndarray, languages: Sequence[str]) -> np.ndarray:
    return np.asarray(cosines)
