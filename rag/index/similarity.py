"""Cosine similarity on one scale for every model and language, so the thresholds chosen on data
(abstention's `min_score`, the sentence weights) mean the same whatever wrote the vectors.

MiniLM's cosines spread widely: on XQuAD English a question scores 0.57 on average with its own
paragraph and 0.02 with the others (spread 0.09). multilingual-e5-small's crowd into a narrow band
that moves with the language: 0.87 against 0.74 in English, 0.90 against 0.81 in Chinese, spread
0.02. Measured as the distance from a question's typical cosine in the index, in units of the
spread of its cosines, both models and every language agree (the gold paragraph sits 5-6 spreads
above, docs/benchmarks.md), so such a model's cosine is rescaled to MiniLM's:
`_TARGET_MEAN + _TARGET_SPREAD * (cosine - mean_q) / spread_q`, where mean_q and spread_q are the
question's cosines' mean and spread over the indexed chunks (from their mean vector and
covariance, so no chunk is scored). A small index says little about them, so they are drawn
toward the model's own typical values, as if it held `_PRIOR_CHUNKS` more chunks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# MiniLM's question-to-other-paragraph cosine on XQuAD English: mean and spread. The thresholds
# of rag were chosen on its scale.
_TARGET_MEAN, _TARGET_SPREAD = 0.024, 0.092
# Models whose cosines need rescaling (fragments of their names), with their typical question-to-
# chunk mean and spread (XQuAD English, German and Chinese averaged).
_COMPRESSED = {"e5": (0.77, 0.022)}
_PRIOR_CHUNKS = 50
_BLOCK = 8192  # rows per step when summing the chunk vectors


@dataclass(frozen=True)
class Background:
    """What the index's chunk vectors look like as a whole: their mean and covariance."""

    mean: np.ndarray
    covariance: np.ndarray
    count: int

    @classmethod
    def of(cls, vectors: np.ndarray) -> Background:
        """The background of `vectors` (rows), read in blocks (they may be memory-mapped)."""
        count, dimension = vectors.shape
        total = np.zeros(dimension, dtype=np.float64)
        products = np.zeros((dimension, dimension), dtype=np.float64)
        for at in range(0, count, _BLOCK):
            block = np.asarray(vectors[at : at + _BLOCK], dtype=np.float64)
            total += block.sum(axis=0)
            products += block.T @ block
        mean = total / max(count, 1)
        covariance = products / max(count, 1) - np.outer(mean, mean)
        return cls(mean.astype(np.float32), covariance.astype(np.float32), count)


Rescale = Callable[[np.ndarray], np.ndarray]


def needs_rescaling(model: str) -> bool:
    return _prior(model) is not None


def rescaler(model: str, question: np.ndarray, background: Background | None) -> Rescale:
    """A function putting `model`'s cosines with `question` on MiniLM's scale (the identity for
    models already on it)."""
    prior = _prior(model)
    if prior is None:
        return _same
    prior_mean, prior_spread = prior
    n, k = (background.count if background else 0), _PRIOR_CHUNKS
    if background is not None and n:
        own_mean = float(question @ background.mean)
        own_variance = max(float(question @ background.covariance @ question), 0.0)
    else:
        own_mean, own_variance = prior_mean, prior_spread**2
    mean = (n * own_mean + k * prior_mean) / (n + k)
    spread = np.sqrt((n * own_variance + k * prior_spread**2) / (n + k))

    def rescale(cosine: np.ndarray) -> np.ndarray:
        return _TARGET_MEAN + _TARGET_SPREAD * (np.asarray(cosine) - mean) / spread

    return rescale


def _prior(model: str) -> tuple[float, float] | None:
    name = model.lower().rsplit("/", 1)[-1]
    return next((prior for fragment, prior in _COMPRESSED.items() if fragment in name), None)


def _same(cosine: np.ndarray) -> np.ndarray:
    return cosine
