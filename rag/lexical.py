"""Keyword (BM25) side of retrieval, built with bm25s over the same chunks as the Chroma side.

bm25s has no incremental add, so the index is rebuilt from the chunks in Chroma whenever the
store's generation changes (bm25s indexes ~100k chunks in seconds) and saved beside it. It is
used directly rather than through llama-index's BM25Retriever, which needs every node in an
in-memory docstore and has no notion of our chunk ids or of staying in step with Chroma."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
POINTER = "bm25.json"


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)  # includes question words (what, how, who)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, Snowball-stemmed word tokens."""
    stop = _stopwords()
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
    return _stemmer().stemWords(words) if words else []


class LexicalIndex:
    """A BM25 index over chunk ids, tagged with the store generation it was built from."""

    def __init__(
        self, ids: list[str], model, doc_freq: dict[str, int], generation: str, params: tuple
    ) -> None:
        self.ids = ids
        self.generation = generation
        self.params = params  # (k1, b): a saved index built with others is rebuilt
        self._model = model  # bm25s.BM25
        self._doc_freq = doc_freq
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str], generation: str, k1: float, b: float):
        import bm25s

        tokens = [tokenize(text) for text in texts]
        model = bm25s.BM25(k1=k1, b=b)
        if ids:
            model.index(tokens, show_progress=False)
        doc_freq = Counter(token for doc in tokens for token in set(doc))
        return cls(ids, model, dict(doc_freq), generation, (k1, b))

    def save(self, index_dir: Path) -> None:
        """Write to a fresh folder, then switch the pointer file atomically: readers in other
        processes see the old index or the new one, never a half-written one."""
        folder = Path(tempfile.mkdtemp(dir=index_dir, prefix="bm25-"))
        if self.ids:
            self._model.save(folder, show_progress=False)
        (folder / "chunks.json").write_text(
            json.dumps({"ids": self.ids, "doc_freq": self._doc_freq}), encoding="utf-8"
        )
        pointer = {"generation": self.generation, "params": self.params, "folder": folder.name}
        fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".bm25-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(pointer, handle)
        os.replace(tmp, index_dir / POINTER)
        for old in index_dir.glob("bm25-*"):
            if old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, index_dir: Path, generation: str, params: tuple) -> LexicalIndex | None:
        """The saved index if it was built from `generation` with BM25 `params` (k1, b), else
        None (it must be rebuilt)."""
        import bm25s

        try:
            pointer = json.loads((index_dir / POINTER).read_text(encoding="utf-8"))
            if pointer.get("generation") != generation or pointer.get("params") != list(params):
                return None
            folder = index_dir / pointer["folder"]
            data = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
            model = bm25s.BM25.load(folder, show_progress=False) if data["ids"] else None
        except (OSError, ValueError, KeyError):
            return None  # missing or damaged: rebuilding from Chroma repairs it
        return cls(data["ids"], model, data["doc_freq"], generation, params)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk, aligned with `self.ids`."""
        known = [t for t in query_tokens if t in self._doc_freq]
        if not self.ids or not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def position(self, chunk_id: str) -> int | None:
        return self._position.get(chunk_id)

    def coverage(self, query_tokens: list[str], present: set[str]) -> float:
        """IDF-weighted share of the query's distinct terms that a passage contains (`present`:
        its tokens): 1.0 when every informative word of the question occurs in the passage, near
        0 when none does."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        n = max(len(self.ids), 1)
        weight = {
            t: math.log(1 + (n - self._doc_freq.get(t, 0) + 0.5) / (self._doc_freq.get(t, 0) + 0.5))
            for t in terms
        }
        return sum(weight[t] for t in terms & present) / sum(weight.values())
