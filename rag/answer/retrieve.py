"""Question to passages: hybrid retrieval that fuses dense (Chroma) and keyword (BM25) results.

Chroma finds the nearest chunks; their text and vectors, and the keyword index, come from the
store's search snapshot (index/snapshot.py). Each side is min-max normalised over the candidate pool
before a weighted sum; averaging raw scores would let BM25's unbounded scale dominate. Both
scores are exact for every candidate: BM25 scores the whole corpus, and dense similarity is
computed for keyword-only candidates."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInput
from ..index.embed import Embedder
from ..index.similarity import Rescale, rescaler
from ..index.snapshot import Snapshot
from ..index.store import Store
from ..settings import Settings
from ..text.acronyms import acronyms, add_acronyms, defined_in, expand, long_form, spelled_out
from ..text.asks import defined_term, defines, defines_in_row, frame_words
from ..text.keywords import ENGLISH, tokenize
from ..text.languages import detect
from ..types import Passage, SentenceVectors
from .rerank import get_reranker
from .unmentioned import unmentioned_names

# Chunks searched for an acronym's definition: those where it weighs most (short, or defining).
_DEFINING_CHUNKS = 5
# Candidates checked for references, per passage asked for: enough that the passages pushed up
# in place of demoted notes were themselves checked.
_REFERENCE_CHECKED = 3
# Up to this share of references a passage is not demoted at all: a README's opening paragraph
# sits among badge links (0.51), an acknowledgement among a list of links (0.41), while a
# report's notes tables are 0.8-1.0.
_REFERENCE_FLOOR = 0.5
# Share of a topic's keywords a section's title must hold to be the section asked about.
_SECTION_MATCH = 0.5
# A language must hold this share of the index's chunks to be a way of reading questions.
_LANGUAGE_SHARE = 0.02
# A question whose words the index mostly knows is read by the keyword side too, whatever
# language it was detected as (a short title in a question can sway detection).
_KNOWN_SHARE = 0.5


class Retriever:
    """Hybrid search over one store, reading chunks from a snapshot kept in step with it."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The search snapshot for the store's current generation: cached, else loaded from
        disk, else built from the previous one and the chunks in Chroma it lacks (and saved
        for the next process)."""
        with self._lock:
            self.store.refresh()
            generation = self.store.generation
            params = (self.settings.bm25_k1, self.settings.bm25_b)
            cached = self._snapshot
            if cached is None or (cached.generation, cached.params) != (generation, params):
                index_dir = self.store.index_dir
                loaded = Snapshot.load(index_dir, generation, params)
                if loaded is None:
                    previous = cached or Snapshot.latest(index_dir)
                    loaded = Snapshot.build(self.store, generation, params, previous)
                self._snapshot = loaded
            return self._snapshot

    def sentence_vectors(self, chunk_id: str) -> SentenceVectors | None:
        """A chunk's stored sentence vectors: from the snapshot the last search read (no
        manifest check per chunk: in server mode each is a request), or from Chroma for a
        chunk it has not got."""
        snapshot = self._snapshot
        position = snapshot.position(chunk_id) if snapshot is not None else None
        if position is None:
            return self.store.sentence_vectors(chunk_id)
        return snapshot.sentences(position)

    def expand_acronyms(self, question: str) -> str:
        """`question` with each acronym followed by its long form, where one of the chunks that
        mention it most defines it (unchanged when none does, or when turned off)."""
        if not self.settings.expand_acronyms:
            return question
        wanted = acronyms(question)
        phrases = spelled_out(question)
        if not wanted and not phrases:
            return question
        definitions = {}
        for acronym in wanted:
            if words := self._defined(acronym):
                definitions[acronym] = words
        question = expand(question, definitions)
        # And the other way: a long form the documents also shorten to an acronym.
        shortened = {
            phrase: acronym
            for phrase, acronym in phrases
            if (words := self._defined(acronym)) and words.lower() == phrase.lower()
        }
        return add_acronyms(question, shortened)

    def _defined(self, acronym: str) -> str | None:
        """The long form of `acronym` in one of the chunks that mention it most, if one defines it."""
        snapshot = self.snapshot()
        scores = snapshot.lexical.scores(tokenize(acronym))
        top = largest(scores, _DEFINING_CHUNKS)
        for i in top[scores[top] > 0]:
            if self._visible(snapshot, i) and (words := long_form(acronym, snapshot.text(i))):
                return words
        return None

    def whole_document(self, passage: Passage) -> list[Passage]:
        """Every chunk of the document `passage` comes from, in document order."""
        snapshot = self.snapshot()
        position = snapshot.position(passage.chunk_id)
        if position is None:
            return [passage]
        key = snapshot.key(position)
        return [snapshot.passage(i, passage.similarity) for i in snapshot.positions_of(key)]

    def section_named(
        self, passage: Passage, topic: str
    ) -> tuple[list[Passage], tuple[int, int | None]] | None:
        """The section of `passage`'s document whose title best matches `topic` (holds at least
        half of its keywords): the chunks that overlap it, in document order, and its span (None
        for the document's end); None when no title matches."""
        snapshot = self.snapshot()
        position = snapshot.position(passage.chunk_id)
        if position is None:
            return None
        language = snapshot.language(position)
        wanted = set(tokenize(topic, language))
        if not wanted:
            return None
        key = snapshot.key(position)
        outline = snapshot.outline(key)
        # The title holding most of the topic, and among those the one with fewest other words:
        # "binary data" is the section "Binary data", not the guide titled "Binary data tools".
        scores = []
        for heading in outline.headings:
            title = set(tokenize(heading.title, language))
            scores.append((len(wanted & title) / len(wanted), -len(title - wanted)))
        if not scores or max(scores)[0] < _SECTION_MATCH:
            return None
        start, end = outline.span(scores.index(max(scores)))
        inside = []
        for i in snapshot.positions_of(key):
            chunk = snapshot.passage(i, passage.similarity)
            if chunk.end > start and (end is None or chunk.start < end):
                inside.append(chunk)
        return inside, (start, end)

    def keyword_overlap(self, question: str) -> Callable[[str], float]:
        """A function giving a text's IDF-weighted share of `question`'s keywords (1.0: it holds
        every informative word of the question; rare words weigh most; an opinion question's
        verb is not one)."""
        lexical = self.snapshot().lexical
        language = self.question_language(question)
        frame = set(tokenize(" ".join(frame_words(question)), language))
        tokens = [t for t in tokenize(question, language) if t not in frame]
        tokens = lexical.in_vocabulary(tokens, language)
        # An acronym the question spells out and its long form are one name: documents give the
        # long form once and the acronym after ("The CCZ is approximately 1.7 million square
        # miles" answers "How big is the Clarion-Clipperton Zone (CCZ)?"), so a text holding
        # either holds the words of both.
        names = [
            (set(tokenize(acronym, language)), set(tokenize(words, language)))
            for acronym, words in defined_in(question).items()
        ]

        def overlap(text: str) -> float:
            present = set(tokenize(text, language))
            for acronym, words in names:
                if acronym & present or (words and words <= present):
                    present |= acronym | words
            return lexical.coverage(tokens, present)

        return overlap

    def unmentioned_names(self, question: str, passages: list[Passage]) -> list[str]:
        """The names `question` asks about that no indexed document mentions
        (`unmentioned.unmentioned_names`), read as `passages` are written."""
        language = self.question_language(question)
        return unmentioned_names(question, language, passages, self.snapshot().lexical)

    def language_apart(self, question: str, passages: list[Passage]) -> str | None:
        """The language `passages` are all written in when `question` is in another one and the
        index knows under half of its words, so only meaning carried it across (English questions
        over Chinese paragraphs are found by retrieval yet mostly refused: docs/benchmarks.md,
        "Languages"); else None."""
        languages = {p.language for p in passages}
        asked = detect(question)
        if len(languages) != 1 or not asked or asked in languages or "" in languages:
            return None
        tokens = set(tokenize(question, asked))
        known = self.snapshot().lexical.known
        if tokens and sum(map(known, tokens)) >= _KNOWN_SHARE * len(tokens):
            return None
        return next(iter(languages))

    def rescaler(self, question: str) -> Rescale:
        """What puts cosines with `question` on the scale thresholds were chosen on, for this
        model and each passage's language (index/similarity.py)."""
        return rescaler(self.embedder.name, detect(question))

    def question_language(self, question: str) -> str:
        """The language to read `question`'s keywords in: of the languages of at least
        _LANGUAGE_SHARE of the index's chunks, the one whose reading of it finds the most of its
        words in the index (a short question's detected language is a guess: a German question
        over German and English documents is read as German); ties go to the detected language,
        then the index's most common one. Rarer languages are left out, so a few chunks
        misdetected (a table, a Latin name) never change how questions are read."""
        counts = self.snapshot().language_counts()
        total = sum(counts.values())
        shared = [lang for lang, n in counts.items() if lang and n >= _LANGUAGE_SHARE * total]
        detected = detect(question)
        if len(shared) <= 1:
            return shared[0] if shared else detected or ENGLISH
        known = self.snapshot().lexical.known

        def found(language: str) -> int:
            return sum(known(token) for token in set(tokenize(question, language)))

        return min(shared, key=lambda language: (-found(language), language != detected))

    def search(
        self,
        question: str,
        k: int,
        *,
        spelled_out: bool = False,
        scope: frozenset[str] | None = None,
    ) -> list[Passage]:
        """The `k` passages most relevant to `question` (its acronyms spelled out, unless
        `spelled_out` says the caller already did), best first; only from the files whose keys
        are in `scope` when it is given (both sides search inside it, so `k` come back)."""
        if k < 1:
            raise InvalidInput(f"k must be at least 1 (got {k})")
        if not spelled_out:
            question = self.expand_acronyms(question)
        snapshot = self.snapshot()
        if not self.store.files:
            return []  # nothing to find (and a new index's model is not chosen yet)
        self.store.check_embedder(self.embedder)
        pool = max(k, self.settings.retrieval_candidates)
        vector = self.embedder.embed_question(question)
        # A chunk Chroma has but the snapshot has not belongs to a write newer than the
        # snapshot's manifest: shown from the next search on, once the snapshot follows it.
        dense = [
            (i, similarity)
            for chunk_id, similarity in self.store.nearest(vector, pool, scope)
            if (i := snapshot.position(chunk_id)) is not None and self._visible(snapshot, i)
        ]
        if not dense:
            return []
        language = self.question_language(question)
        tokens = snapshot.lexical.in_vocabulary(tokenize(question, language), language)
        bm25 = snapshot.lexical.scores(tokens)
        if scope is not None:
            bm25 = np.where(snapshot.in_files(scope), bm25, 0).astype(bm25.dtype)
        seen = {i for i, _ in dense}
        extra = [
            int(i)
            for i in largest(bm25, pool)
            if bm25[i] > 0 and i not in seen and self._visible(snapshot, i)
        ]
        positions = [i for i, _ in dense] + extra
        # Keyword-only candidates' cosine comes from their stored vectors.
        cosine = np.concatenate(
            [np.array([s for _, s in dense], dtype=np.float32), snapshot.vectors(extra) @ vector]
        )
        candidates = Candidates(snapshot, positions, vector, cosine, bm25)
        sides = self._sides()
        used = {name for _, shares in sides.values() for name, share in shares.items() if share}
        signals = {name: SIGNALS[name](candidates) for name in used | {"dense_sentence"}}
        fused = fuse(signals, sides)
        rerank = self.settings.rerank_model
        wanted = max(k, self.settings.rerank_candidates) if rerank else k
        self._demote_references(fused, positions, snapshot, wanted)
        self._promote_definitions(fused, positions, snapshot, question)
        terms = _Terms(snapshot, positions)
        order = self._diverse(np.argsort(-fused, kind="stable"), terms, wanted)
        if rerank:
            texts = [snapshot.text(positions[i]) for i in order]
            scores = get_reranker(rerank).scores(question, texts)
            fused[order] = scores  # a passage's score is now the cross-encoder's
            order = [order[j] for j in np.argsort(-scores, kind="stable")[:k]]
        chosen = [snapshot.passage(positions[i], float(cosine[i])) for i in order]
        rescale = self.rescaler(question)
        languages = [p.language for p in chosen]
        similarity = rescale(cosine[order], languages)
        sentences = rescale(signals["dense_sentence"][order], languages)
        return [
            dataclasses.replace(
                passage,
                similarity=float(similarity[n]),
                score=float(fused[i]),
                coverage=snapshot.lexical.coverage(tokens, terms[i]),
                sentence_similarity=float(sentences[n]),
            )
            for n, (i, passage) in enumerate(zip(order, chosen, strict=True))
        ]

    def _demote_references(
        self, fused: np.ndarray, positions: list[int], snapshot: Snapshot, k: int
    ) -> None:
        """Lower, in place, the fused score of the best candidates by their share of references
        (endnotes, reference lists). Only candidates that could reach the top `k` need it; the
        share is worked out once per chunk and snapshot."""
        penalty = self.settings.reference_penalty
        if not penalty:
            return
        for i in largest(fused, min(len(fused), _REFERENCE_CHECKED * k)):
            share = snapshot.reference_share(positions[i])
            fused[i] -= penalty * max(0.0, share - _REFERENCE_FLOOR) / (1 - _REFERENCE_FLOOR)

    def _promote_definitions(
        self, fused: np.ndarray, positions: list[int], snapshot: Snapshot, question: str
    ) -> None:
        """Raise, in place, the fused score of the candidates that define what a "What is X?"
        question asks about (a sentence "X is ...", "X, a ...", or a table row whose first cell is
        X) by `definition_boost`: in a long document every chunk names X, and the one that says
        what it is may rank below those that only use it (docs/answers.md, "A definition is what
        "What is X?" asks for")."""
        term = defined_term(question)
        boost = self.settings.definition_boost
        if term is None or not boost:
            return
        for n, i in enumerate(positions):
            text = snapshot.text(i)
            if defines_in_row(term, text) or defines(term, text):
                fused[n] += boost

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

    def _visible(self, snapshot: Snapshot, i: int) -> bool:
        """Whether chunk `i` may be shown: chunks of a file missing from the manifest were left
        by an interrupted write (or are being written right now), and stay hidden until a sync
        completes or deletes them."""
        return snapshot.key(i) in self.store.files

    def _sides(self) -> dict[str, tuple[float, dict[str, float]]]:
        """How the signals are fused: each side's weight, and its signals' shares within it.
        A chunk with one sentence that matches closely ranks above a chunk loosely about the
        topic throughout through the dense side's sentence share."""
        settings = self.settings
        sentence = settings.sentence_match_weight
        return {
            "dense": (
                settings.dense_weight,
                {"dense_chunk": 1 - sentence, "dense_sentence": sentence},
            ),
            "keyword": (1 - settings.dense_weight, {"keyword": 1.0}),
        }


@dataclass(frozen=True)
class Candidates:
    """What the signals see: the candidate chunks' snapshot positions, the question's vector,
    each candidate's chunk cosine, and the question's BM25 score for every chunk."""

    snapshot: Snapshot
    positions: list[int]
    vector: np.ndarray
    cosine: np.ndarray
    bm25: np.ndarray


def _dense_chunk(c: Candidates) -> np.ndarray:
    return c.cosine


def _dense_sentence(c: Candidates) -> np.ndarray:
    """Each chunk's best sentence's cosine (stored sentence vectors), else its own."""
    best = c.cosine.copy()
    for n, i in enumerate(c.positions):
        rows = c.snapshot.sentence_rows(i)
        if len(rows):
            best[n] = float((rows @ c.vector).max())
    return best


def _keyword(c: Candidates) -> np.ndarray:
    return c.bm25[c.positions]


# The named retrieval signals: each scores every candidate, higher is better. A new signal is
# one function here plus its share in `Retriever._sides`.
SIGNALS: dict[str, Callable[[Candidates], np.ndarray]] = {
    "dense_chunk": _dense_chunk,
    "dense_sentence": _dense_sentence,
    "keyword": _keyword,
}


def fuse(
    scores: dict[str, np.ndarray], sides: dict[str, tuple[float, dict[str, float]]]
) -> np.ndarray:
    """One score per candidate: each side is the share-weighted sum of its signals, min-max
    normalised over the candidates (BM25's unbounded scale must not dominate the cosine's), and
    the sides are summed by weight. A signal with a zero share need not be in `scores`."""
    total = np.zeros(len(next(iter(scores.values()))), dtype=np.float32)
    for weight, shares in sides.values():
        side = sum(share * scores[name] for name, share in shares.items() if share)
        total = total + weight * _min_max(np.asarray(side, dtype=np.float32))
    return total


class _Terms:
    """Each candidate's set of keyword tokens, computed on first use: near-copy skipping and
    keyword coverage both need them, for the few candidates that reach the top."""

    def __init__(self, snapshot: Snapshot, positions: list[int]) -> None:
        self._snapshot = snapshot
        self._positions = positions
        self._sets: dict[int, set[str]] = {}

    def __getitem__(self, i: int) -> set[str]:
        found = self._sets.get(i)
        if found is None:
            text = self._snapshot.text(self._positions[i])
            language = self._snapshot.language(self._positions[i])
            found = self._sets[i] = set(tokenize(text, language))
        return found


def largest(values: np.ndarray, n: int) -> np.ndarray:
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
