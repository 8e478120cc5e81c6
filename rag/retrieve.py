"""Question to passages: hybrid retrieval that fuses dense (Chroma) and keyword (BM25) results.

Each side is min-max normalised over the candidate pool before a weighted sum; averaging raw
scores would let BM25's unbounded scale dominate. Both scores are exact for every candidate:
BM25 scores the whole corpus, and dense similarity is computed for keyword-only candidates."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np

from .acronyms import acronyms, expand, long_form
from .embed import Embedder
from .lexical import LexicalIndex, tokenize
from .rerank import get_reranker
from .settings import Settings
from .store import Store
from .types import Passage

# Chunks searched for an acronym's definition: those where it weighs most (short, or defining).
_DEFINING_CHUNKS = 5


class Retriever:
    """Hybrid search over one store; keeps the keyword index in step with the store."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()

    def lexical(self) -> LexicalIndex:
        """The keyword index for the store's current generation: cached, else loaded from disk,
        else rebuilt from the chunks in Chroma (and saved for the next process)."""
        with self._lock:
            self.store.refresh()
            generation = self.store.generation
            params = (self.settings.bm25_k1, self.settings.bm25_b)
            cached = self._lexical
            if cached is None or (cached.generation, cached.params) != (generation, params):
                loaded = LexicalIndex.load(self.store.index_dir, generation, params)
                if loaded is None:
                    ids, texts = self.store.all_chunks()
                    loaded = LexicalIndex.build(ids, texts, generation, *params)
                    loaded.save(self.store.index_dir)
                self._lexical = loaded
            return self._lexical

    def expand_acronyms(self, question: str) -> str:
        """`question` with each acronym followed by its long form, where one of the chunks that
        mention it most defines it (unchanged when none does, or when turned off)."""
        wanted = acronyms(question) if self.settings.expand_acronyms else []
        if not wanted:
            return question
        lexical = self.lexical()
        definitions = {}
        for acronym in wanted:
            scores = lexical.scores(tokenize(acronym))
            top = [lexical.ids[i] for i in _largest(scores, _DEFINING_CHUNKS) if scores[i] > 0]
            for text in self.store.texts(top):
                if words := long_form(acronym, text):
                    definitions[acronym] = words
                    break
        return expand(question, definitions)

    def search(self, question: str, k: int, *, spelled_out: bool = False) -> list[Passage]:
        """The `k` passages most relevant to `question` (its acronyms spelled out, unless
        `spelled_out` says the caller already did), best first."""
        if k < 1:
            raise ValueError(f"k must be at least 1 (got {k})")
        if not spelled_out:
            question = self.expand_acronyms(question)
        lexical = self.lexical()
        pool = max(k, self.settings.retrieval_candidates)
        vector = self.embedder.embed_question(question)
        dense = self.store.query(vector, pool)
        if not dense:
            return []
        tokens = tokenize(question)
        bm25 = lexical.scores(tokens)
        dense_ids = {p.chunk_id for p in dense}
        top_keyword = _largest(bm25, pool)
        extra = [
            lexical.ids[i] for i in top_keyword if bm25[i] > 0 and lexical.ids[i] not in dense_ids
        ]
        candidates = dense + self.store.fetch(extra, vector)

        similarity = np.array([p.similarity for p in candidates], dtype=np.float32)
        if self.settings.sentence_match_weight:
            similarity = self._with_sentences(similarity, candidates, vector)
        keyword = np.array(
            [
                bm25[i] if (i := lexical.position(p.chunk_id)) is not None else 0.0
                for p in candidates
            ],
            dtype=np.float32,
        )
        weight = self.settings.dense_weight
        fused = weight * _min_max(similarity) + (1 - weight) * _min_max(keyword)
        rerank = self.settings.rerank_model
        wanted = max(k, self.settings.rerank_candidates) if rerank else k
        terms = _Terms(candidates)
        order = self._diverse(np.argsort(-fused, kind="stable"), terms, wanted)
        if rerank:
            texts = [candidates[i].text for i in order]
            scores = get_reranker(rerank).scores(question, texts)
            fused[order] = scores  # a passage's score is now the cross-encoder's
            order = [order[j] for j in np.argsort(-scores, kind="stable")[:k]]
        return [
            dataclasses.replace(
                candidates[i],
                score=float(fused[i]),
                coverage=lexical.coverage(tokens, terms[i]),
            )
            for i in order
        ]

    def _diverse(self, order: np.ndarray, terms: _Terms, k: int) -> list[int]:
        """The first `k` of `order`, skipping any passage whose words nearly repeat one already
        kept (copies of a file, versions, boilerplate), so they cannot crowd out the rest."""
        limit = self.settings.duplicate_overlap
        if limit > 1:
            return [int(i) for i in order[:k]]
        kept: list[int] = []
        kept_terms: list[set[str]] = []
        for i in order:
            mine = terms[i]
            # Jaccard >= limit needs the smaller set to be >= limit x the larger, so pairs of
            # unlike sizes are ruled out without building their intersection and union.
            size = len(mine)
            if any(
                limit * max(size, len(other)) <= min(size, len(other))
                and _jaccard(mine, other) >= limit
                for other in kept_terms
            ):
                continue
            kept.append(int(i))
            kept_terms.append(mine)
            if len(kept) == k:
                break
        return kept

    def _with_sentences(
        self, similarity: np.ndarray, candidates: list[Passage], vector: np.ndarray
    ) -> np.ndarray:
        """Blend each chunk's similarity with its best sentence's (stored sentence vectors), so
        a chunk with one sentence that matches closely ranks above a chunk that is loosely
        about the topic throughout."""
        best = similarity.copy()
        for i, passage in enumerate(candidates):
            sentences = self.store.sentence_vectors(passage.chunk_id)
            if sentences is not None and len(sentences.spans):
                best[i] = float((sentences.vectors @ vector).max())
        weight = self.settings.sentence_match_weight
        return (1 - weight) * similarity + weight * best


class _Terms:
    """Each candidate's set of keyword tokens, computed on first use: near-copy skipping and
    keyword coverage both need them, for the few candidates that reach the top."""

    def __init__(self, candidates: list[Passage]) -> None:
        self._candidates = candidates
        self._sets: dict[int, set[str]] = {}

    def __getitem__(self, i: int) -> set[str]:
        found = self._sets.get(i)
        if found is None:
            found = self._sets[i] = set(tokenize(self._candidates[i].text))
        return found


def _largest(values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the `n` largest `values`, largest first. A partial selection, not a full
    sort: sorting every chunk's keyword score took ~3.6 ms a query at 100k chunks, this ~0.7."""
    if n >= len(values):
        return np.argsort(-values, kind="stable")
    chosen = np.argpartition(-values, n)[:n]
    return chosen[np.argsort(-values[chosen], kind="stable")]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _min_max(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.ones_like(values) if high > 0 else np.zeros_like(values)
    return (values - low) / (high - low)
