"""What the store keeps per file and per chunk, and how it is written into Chroma's records:
ids that name a file and its version, keys Chroma can hold, sentence vectors as metadata."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from ..types import Chunk, SentenceVectors

NO_PAGE = -1  # Chroma metadata cannot hold None
# Sentence vectors kept in each chunk's metadata: float16 halves the bytes, and a cosine computed
# from float16 unit vectors differs from float32 by under 1e-3, far below what ranks sentences.
SENTENCE_DTYPE = np.float16


@dataclass(frozen=True)
class FileRecord:
    """What the manifest remembers about one indexed file."""

    source: str
    sha256: str
    size: int
    chunks: int
    indexed_at: float
    # The rules and chunk settings the chunks were made with (ingest's recipe); a manifest
    # written before recipes were kept reads as "", which matches none, so its files are
    # indexed again once.
    recipe: str = ""
    # What a caller said about the document (a LlamaIndex Document's metadata: title, author,
    # URL): kept with it, shown with its passages.
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StoredChunk:
    """One chunk as the store holds it: what search snapshots (snapshot.py) are built from."""

    chunk_id: str
    key: str  # the manifest key of the file it belongs to
    chunk: Chunk
    vector: np.ndarray
    sentences: SentenceVectors | None  # None for chunks indexed before these were stored


# What replace_files takes per file: key, record, chunks, their vectors, their sentence vectors.
FileWrite = tuple[str, FileRecord, list[Chunk], np.ndarray, list[SentenceVectors]]


def stored_key(key: str) -> str:
    """A file's key as Chroma can hold it (valid UTF-8): the key itself, unless the file's path
    is not valid UTF-8, whose undecodable bytes (lone surrogates in Python) become \\xNN."""
    return key.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def file_id(key: str) -> str:
    """A short stable id of the file with manifest `key` (a hash of it): what links to a file
    carry, so that no request ever names a path."""
    return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def chunk_ids(key: str, record: FileRecord) -> list[str]:
    """The ids of a file's chunks: its key's hash, a hash of its content and recipe, and each
    chunk's number, so an id alone says which file and which version of it a chunk belongs to
    (records from before recipes were kept use the content hash alone, as they were written)."""
    prefix = file_id(key)
    version = record.sha256
    if record.recipe:
        version = hashlib.sha256(f"{record.sha256}:{record.recipe}".encode()).hexdigest()
    return [f"{prefix}:{version[:12]}:{i}" for i in range(record.chunks)]


def chunk_metadata(key: str, chunk: Chunk, sentences: SentenceVectors) -> dict:
    """The Chroma metadata of one chunk of file `key`."""
    return {
        "key": stored_key(key),
        "source": chunk.source,
        "page": NO_PAGE if chunk.page is None else chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "language": chunk.language,
        **_encode_sentences(sentences),
    }


def stored_chunk(
    chunk_id: str, text: str, meta: dict, vector: object, keys: dict[str, str]
) -> StoredChunk:
    """A chunk read back from Chroma; `keys` maps keys Chroma holds escaped to their own."""
    page = None if meta["page"] == NO_PAGE else int(meta["page"])
    start, end, language = int(meta["start"]), int(meta["end"]), str(meta.get("language", ""))
    chunk = Chunk(str(meta["source"]), page, start, end, text, language)
    key = keys.get(str(meta["key"]), str(meta["key"]))
    vector = np.asarray(vector, dtype=np.float32)
    return StoredChunk(chunk_id, key, chunk, vector, decode_sentences(meta))


def _encode_sentences(sentences: SentenceVectors) -> dict[str, str]:
    """Chroma metadata holds scalars only: spans as JSON, vectors as base64 float16 bytes."""
    return {
        "sentences": json.dumps(sentences.spans),
        "sentence_vectors": base64.b64encode(
            sentences.vectors.astype(SENTENCE_DTYPE).tobytes()
        ).decode("ascii"),
    }


def decode_sentences(meta: dict) -> SentenceVectors | None:
    if "sentence_vectors" not in meta:
        return None  # an index written before sentence vectors were stored
    spans = tuple(tuple(span) for span in json.loads(meta["sentences"]))
    raw = np.frombuffer(base64.b64decode(meta["sentence_vectors"]), dtype=SENTENCE_DTYPE)
    rows = raw.reshape(len(spans), raw.size // max(len(spans), 1))
    return SentenceVectors(spans, rows.astype(np.float32))
