"""Question to passages: embed the question and take the nearest chunks from the index."""

from __future__ import annotations

from .embed import Embedder
from .store import Store
from .types import Passage


def search(question: str, store: Store, embedder: Embedder, k: int) -> list[Passage]:
    """The `k` passages most similar to `question`, best first."""
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    vector = embedder.embed([question])[0]
    return store.query(vector, k)
