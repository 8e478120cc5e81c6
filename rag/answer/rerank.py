"""Optional second-stage ranking with a cross-encoder: it reads the question and a passage
together, which judges relevance better than comparing two separate vectors, at the cost of one
forward pass per passage. Off unless `RAG_RERANK_MODEL` names a model that loads offline."""

from __future__ import annotations

import threading
from functools import cache

import numpy as np

from ..errors import ModelError


class Reranker:
    """A sentence-transformers `CrossEncoder`, loaded once per process and model."""

    def __init__(self, model: str) -> None:
        from sentence_transformers import CrossEncoder

        self.name = model
        try:
            self._model = CrossEncoder(model)
        except Exception as exc:  # the library raises many types (OSError, HFValidationError, ...)
            raise ModelError(
                f"could not load reranking model {model!r}: {exc}. Set RAG_RERANK_MODEL to a "
                "local cross-encoder folder, or unset it to rank without one."
            ) from exc
        self._lock = threading.Lock()  # one forward pass at a time, as for the embedder

    def scores(self, question: str, texts: list[str]) -> np.ndarray:
        """Relevance of each text to `question`, 0 to 1 (the model's sigmoid output)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            scores = self._model.predict(
                [(question, text) for text in texts], show_progress_bar=False
            )
        return np.asarray(scores, dtype=np.float32).reshape(len(texts))


@cache
def get_reranker(model: str) -> Reranker:
    """The process-wide Reranker for `model`."""
    return Reranker(model)
