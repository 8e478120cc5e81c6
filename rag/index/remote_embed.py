"""Text to vectors on an OpenAI-compatible embedding server (`/v1/embeddings`: Text Embeddings
Inference, Infinity, vLLM, Ollama, llama.cpp), so a team embeds on one GPU machine and ingests
from many into one Chroma server."""

from __future__ import annotations

import functools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import ModelError
from ..settings import Settings
from ..text.chunking import sentence_spans
from ..text.markup import reader_view
from ..types import SentenceVectors
from .prompts import prefixes

# Statuses that say "not now" rather than "not this input": retried with back-off.
_TRY_AGAIN = {408, 409, 429, 502, 503, 504}
# A sentence's vector is its own embedding moved this far toward its chunk's, to give back some
# of the context late chunking gives it locally. On 600 SciFact abstracts (bench/ingest.py
# --remote; docs/benchmarks.md) the test queries' nDCG@10 was 0.874 with sentences alone,
# 0.876 / 0.880 / 0.877 at 0.3 / 0.5 / 0.7, and 0.881 with the local encoder.
_CONTEXT_SHARE = 0.5
# A text the server refuses alone is halved until it is accepted (a server's window is in
# tokens, which characters only estimate), but never below this many characters.
_SHORTEST = 64


class RemoteEmbedder:
    """Unit-length vectors from an embedding server, in batched requests sent
    `embed_concurrency` at a time. A lost connection, a timeout or a busy server is retried
    `embed_retries` times with exponential back-off. A request the server refuses (llama.cpp
    answers 500, TEI 413, others 400 for an input past the model's window) is sent again text
    by text, and a text refused alone is cut in half until accepted: the truncation
    sentence-transformers does quietly, done by asking."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.url = settings.embed_url.rstrip("/")
        self.name = settings.embed_model
        self.batch_size = settings.embed_batch_size
        self.max_chars = settings.embed_max_chars
        # A server that adds the model's prefixes itself is told which a text is; another gets
        # them in the text.
        self.input_type = settings.embed_input_type
        self.prefixes = prefixes(settings.embed_prefixes, self.name)
        self._client = OpenAI(
            base_url=self.url,
            api_key=settings.embed_api_key or "not-needed",
            timeout=settings.embed_timeout_s,
            max_retries=0,  # retried below, where a refused input is told from a busy server
        )
        self.retries = settings.embed_retries
        self._pool = ThreadPoolExecutor(settings.embed_concurrency, "rag-embed")
        self._dimension: int | None = None
        self._dimension_lock = threading.Lock()

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            with self._dimension_lock:
                if self._dimension is None:
                    self._dimension = int(self._request(["dimension probe"], "passage").shape[1])
        return self._dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` (passages) as float32 rows of unit length, in order."""
        return self._embed(texts, "passage")

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = "" if self.input_type else getattr(self.prefixes, kind)
        # A server refuses inputs past its model's window (llama.cpp, TEI) where
        # sentence-transformers truncates quietly: cut them to a length every model reads.
        views = [prefix + reader_view(text)[: self.max_chars] for text in texts]
        batches = [views[at : at + self.batch_size] for at in range(0, len(views), self.batch_size)]
        return np.concatenate(list(self._pool.map(self._request, batches, [kind] * len(batches))))

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one RemoteEmbedder per server for the process)
    def embed_question(self, text: str) -> np.ndarray:
        """One question's vector, remembered (retrieval and answers both ask for it)."""
        vector = self._embed([text], "query")[0]
        vector.flags.writeable = False  # shared between callers
        return vector

    def token_vectors(self, question: str, texts: list[str]) -> None:
        """None: a server returns one pooled vector per input, never its tokens'."""
        return None

    def embed_chunks(self, texts: list[str]) -> tuple[np.ndarray, list[SentenceVectors]]:
        """Chunk vectors, and a vector for each sentence of each chunk. A server returns one
        pooled vector per input, not the token vectors that late chunking pools per sentence
        (`LocalEmbedder.embed_chunks`), so each sentence is embedded on its own, in the same
        batched requests (about twice the tokens), then moved halfway toward its chunk's vector
        for the passage's context it lacks (docs/benchmarks.md, "Remote embedding servers",
        measures what this costs)."""
        spans = [list(sentence_spans(text)) for text in texts]
        sentences = [
            text[start:end]
            for text, found in zip(texts, spans, strict=True)
            for start, end in found
        ]
        vectors = self.embed(list(texts) + sentences)
        chunk_vectors, rows = vectors[: len(texts)], vectors[len(texts) :]
        pooled, at = [], 0
        for chunk, found in zip(chunk_vectors, spans, strict=True):
            matrix = rows[at : at + len(found)].reshape(len(found), vectors.shape[1])
            matrix = (1 - _CONTEXT_SHARE) * matrix + _CONTEXT_SHARE * chunk
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
            pooled.append(SentenceVectors(tuple(found), matrix.astype(np.float32)))
            at += len(found)
        return chunk_vectors, pooled

    def _request(self, batch: list[str], kind: str) -> np.ndarray:
        """`batch`'s vectors; a refused batch is sent again text by text, a refused text halved."""
        from openai import APIStatusError

        try:
            return self._post(batch, kind)
        except APIStatusError as exc:
            if exc.status_code in (401, 403, 404):  # a wrong key, URL or model name
                raise self._failed(exc) from exc
            if len(batch) > 1:
                return np.concatenate([self._request([text], kind) for text in batch])
            if len(batch[0]) >= 2 * _SHORTEST:
                return self._request([batch[0][: len(batch[0]) // 2]], kind)
            raise self._failed(exc) from exc

    def _post(self, batch: list[str], kind: str) -> np.ndarray:
        import httpx
        from openai import APIConnectionError, APIStatusError, OpenAIError

        for attempt in range(self.retries + 1):
            try:
                response = self._client.embeddings.create(
                    model=self.name,
                    input=batch,
                    encoding_format="float",
                    extra_body={"input_type": kind} if self.input_type else None,
                )
                break
            except APIStatusError as exc:
                if exc.status_code not in _TRY_AGAIN:
                    raise  # this input refused: `_request` splits or cuts it
                if attempt == self.retries:
                    raise self._failed(exc) from exc
            except (APIConnectionError, httpx.HTTPError, OSError) as exc:
                if attempt == self.retries:
                    raise self._failed(exc) from exc
            except OpenAIError as exc:
                raise self._failed(exc) from exc
            # Exponential back-off with jitter (0.5 s, 1 s, 2 s, ... at most 8 s), so many
            # clients of one restarting server do not all come back at once.
            time.sleep(min(8.0, 0.5 * 2**attempt) * random.uniform(0.75, 1.25))
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(batch):
            raise ModelError(
                f"the embedding server at {self.url} returned {len(rows)} vectors for "
                f"{len(batch)} texts"
            )
        vectors = np.asarray([row.embedding for row in rows], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def _failed(self, exc: Exception) -> ModelError:
        return ModelError(
            f"the embedding server at {self.url} failed: {type(exc).__name__}: {exc}. Check "
            "that it is running and serves RAG_EMBED_MODEL, or unset RAG_EMBED_URL to embed "
            "on this machine."
        )
