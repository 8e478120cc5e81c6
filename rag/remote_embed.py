"""Text to vectors on an OpenAI-compatible embedding server (`/v1/embeddings`: Text Embeddings
Inference, Infinity, vLLM, Ollama, llama.cpp), so a team embeds on one GPU machine and ingests
from many into one Chroma server."""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .chunking import sentence_spans
from .errors import ModelError
from .markup import reader_view
from .settings import Settings
from .types import SentenceVectors


class RemoteEmbedder:
    """Unit-length vectors from an embedding server, in batched requests sent
    `embed_concurrency` at a time; the OpenAI client retries refused, failed and timed-out
    requests with exponential back-off (`embed_retries` times) before giving up."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.url = settings.embed_url.rstrip("/")
        self.name = settings.embed_model
        self.batch_size = settings.embed_batch_size
        self.max_chars = settings.embed_max_chars
        self._client = OpenAI(
            base_url=self.url,
            api_key=settings.embed_api_key or "not-needed",
            timeout=settings.embed_timeout_s,
            max_retries=settings.embed_retries,
        )
        self._pool = ThreadPoolExecutor(settings.embed_concurrency, "rag-embed")
        self._dimension: int | None = None
        self._dimension_lock = threading.Lock()

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            with self._dimension_lock:
                if self._dimension is None:
                    self._dimension = int(self._request(["dimension probe"]).shape[1])
        return self._dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as float32 rows of unit length, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # A server refuses inputs past its model's window (llama.cpp, TEI) where
        # sentence-transformers truncates quietly: cut them to a length every model reads.
        views = [reader_view(text)[: self.max_chars] for text in texts]
        batches = [views[at : at + self.batch_size] for at in range(0, len(views), self.batch_size)]
        return np.concatenate(list(self._pool.map(self._request, batches)))

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one RemoteEmbedder per server for the process)
    def embed_question(self, text: str) -> np.ndarray:
        """One question's vector, remembered (retrieval and answers both ask for it)."""
        vector = self.embed([text])[0]
        vector.flags.writeable = False  # shared between callers
        return vector

    def embed_chunks(self, texts: list[str]) -> tuple[np.ndarray, list[SentenceVectors]]:
        """Chunk vectors, and a vector for each sentence of each chunk. A server returns one
        pooled vector per input, not the token vectors that late chunking pools per sentence
        (`LocalEmbedder.embed_chunks`), so each sentence is embedded on its own, in the same
        batched requests: about twice the tokens, and sentences lose their passage's context
        (docs/benchmarks.md, "Remote embedding servers", measures what that costs)."""
        spans = [list(sentence_spans(text)) for text in texts]
        sentences = [
            text[start:end]
            for text, found in zip(texts, spans, strict=True)
            for start, end in found
        ]
        vectors = self.embed(list(texts) + sentences)
        chunk_vectors, rows = vectors[: len(texts)], vectors[len(texts) :]
        pooled, at = [], 0
        for found in spans:
            matrix = rows[at : at + len(found)].reshape(len(found), vectors.shape[1])
            pooled.append(SentenceVectors(tuple(found), matrix))
            at += len(found)
        return chunk_vectors, pooled

    def _request(self, batch: list[str]) -> np.ndarray:
        import httpx
        from openai import OpenAIError

        try:
            response = self._client.embeddings.create(
                model=self.name, input=batch, encoding_format="float"
            )
        except (OpenAIError, httpx.HTTPError, OSError) as exc:
            raise ModelError(
                f"the embedding server at {self.url} failed: {type(exc).__name__}: {exc}. "
                "Check that it is running and serves RAG_EMBED_MODEL, or unset RAG_EMBED_URL "
                "to embed on this machine."
            ) from exc
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(batch):
            raise ModelError(
                f"the embedding server at {self.url} returned {len(rows)} vectors for "
                f"{len(batch)} texts"
            )
        vectors = np.asarray([row.embedding for row in rows], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)
