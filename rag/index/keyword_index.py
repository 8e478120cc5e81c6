"""The keyword (BM25) index of a search snapshot, built with bm25s over the same chunks as the
Chroma side, from the tokens of `rag.text.keywords`.

bm25s has no incremental add, so the index is rebuilt with the rest of the search snapshot
whenever the store's generation changes, from token ids the snapshot keeps (bm25s indexes ~100k
chunks in ~5 s; snapshot.py). It is used directly rather than through llama-index's
BM25Retriever, which needs every node in an in-memory docstore and has no notion of our chunk ids
or of staying in step with Chroma."""

from __future__ import annotations

import difflib
import json
import logging
import math
from pathlib import Path

import numpy as np

from ..text.keywords import bases

DOC_FREQ = "doc_freq.json"
# How alike two spellings must be to be read as one word misspelt (difflib's ratio).
_SPELLED_LIKE = 0.8


class LexicalIndex:
    """A BM25 index over chunks by position (the snapshot it belongs to names them)."""

    def __init__(self, size: int, model, doc_freq: dict[str, int]) -> None:
        self.size = size
        self._model = model  # bm25s.BM25, None when no chunk has a keyword token
        self._doc_freq = doc_freq

    @classmethod
    def build(
        cls, tokens: list[np.ndarray], vocabulary: dict[str, int], k1: float, b: float
    ) -> LexicalIndex:
        """The index of chunks whose `tokenize`d texts are `tokens`, as ids into `vocabulary`
        (every id in it used by some chunk)."""
        bm25s = _bm25s()

        if not vocabulary:  # no chunk has a keyword token (bm25s cannot index that)
            return cls(len(tokens), None, {})
        model = bm25s.BM25(k1=k1, b=b)
        # bm25s adds its empty token to the dictionary it is given: give it a copy.
        model.index(([t.tolist() for t in tokens], dict(vocabulary)), show_progress=False)
        # Its score matrix has a column per token id with an entry per chunk containing it, so
        # the column lengths are the document frequencies (counting them chunk by chunk took
        # ~0.7 s at 100k chunks).
        chunks_with = np.diff(model.scores["indptr"])[: len(vocabulary)]
        doc_freq = dict(zip(vocabulary, chunks_with.tolist(), strict=True))
        return cls(len(tokens), model, doc_freq)

    def save(self, folder: Path) -> None:
        if self._model is not None:
            self._model.save(folder, show_progress=False)
        (folder / DOC_FREQ).write_text(
            json.dumps({"size": self.size, "doc_freq": self._doc_freq}), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index `save` wrote to `folder` (OSError or ValueError if it is missing or damaged)."""
        bm25s = _bm25s()

        data = json.loads((folder / DOC_FREQ).read_text(encoding="utf-8"))
        model = bm25s.BM25.load(folder, show_progress=False) if data["doc_freq"] else None
        return cls(data["size"], model, data["doc_freq"])

    def known(self, token: str) -> bool:
        """Whether some chunk holds `token`."""
        return token in self._doc_freq

    def spelled_like(self, token: str) -> bool:
        """Whether some chunk holds `token` or a word of nearly its spelling, as a misspelt name
        is ("ghandi" for "gandhi", "maastrich" for "maastricht"): same first letter, at most two
        letters longer or shorter, and difflib's ratio at least `_SPELLED_LIKE`."""
        if token in self._doc_freq:
            return True
        matcher = difflib.SequenceMatcher(b=token)
        for word in self._doc_freq:
            if word[:1] == token[:1] and abs(len(word) - len(token)) <= 2:
                matcher.set_seq1(word)
                if matcher.ratio() >= _SPELLED_LIKE:
                    return True
        return False

    def in_vocabulary(self, tokens: list[str], language: str) -> list[str]:
        """`tokens` with each one no chunk holds read as its base (`keywords.bases`) where some
        chunk holds that: "Which roofer was chosen?" finds "Northgate Roofing"."""
        return [
            t
            if t in self._doc_freq
            else next((b for b in bases(t, language) if b in self._doc_freq), t)
            for t in tokens
        ]

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk, by position."""
        known = [t for t in query_tokens if t in self._doc_freq]
        if self._model is None or not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def coverage(self, query_tokens: list[str], present: set[str]) -> float:
        """IDF-weighted share of the query's distinct terms that a passage contains (`present`:
        its tokens): 1.0 when every informative word of the question occurs in the passage, near
        0 when none does."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        n = max(self.size, 1)
        weight = {
            t: math.log(1 + (n - self._doc_freq.get(t, 0) + 0.5) / (self._doc_freq.get(t, 0) + 0.5))
            for t in terms
        }
        return sum(weight[t] for t in terms & present) / sum(weight.values())


def _bm25s():  # -> the bm25s module, imported lazily (it pulls in scipy)
    """bm25s, with its logger at WARNING: it sets DEBUG on import, so wherever a root handler is
    configured its "Building index from IDs" lines landed in the middle of `rag ingest`'s
    progress bar."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
