"""The index on disk: chunk vectors in Chroma plus a manifest of the files they came from.

We talk to chromadb directly instead of through llama-index's ChromaVectorStore: that wrapper
serialises each whole node into a `_node_content` metadata blob (doubling what is stored) and
hides the per-file delete and listing that incremental sync needs."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Collection, Iterator
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from ..errors import IndexBusy, StoreError
from ..types import SentenceVectors
from .chroma import CHROMA_OPEN, http_client, remove_chroma_files, unreachable
from .embed import Embedder, check_agreement, fingerprint
from .files import folder_bytes, locked
from .manifest import ManifestBackend, ManifestFile, ManifestInChroma
from .records import (
    FileRecord,
    FileWrite,
    StoredChunk,
    chunk_ids,
    chunk_metadata,
    decode_sentences,
    stored_chunk,
    stored_key,
)

COLLECTION = "chunks"
MANIFEST_VERSION = 1
LOCK = ".write.lock"


# Records per Chroma read when reading many: one read of 100k fails on SQLite's limit on query
# variables. Reading 100k chunks took 14.3 s in pages of 2,000, 11.5 s in pages of 5,000 and
# 11.2 s in pages of 10,000 (each page re-scans the rows it skips).
_PAGE = 5000
_KEYS_PER_READ = 100  # files per `$in` filter when reading the chunks of some files
# Chroma's vector index (hnswlib) only marks deleted vectors, never frees them, and its searches
# slow as they pile up (chroma-core/chroma#2594; #7758 reports live records it stops finding).
# SciFact's 13,394 chunks after two full re-indexes: Chroma's nearest-neighbour query 7.8-13.5 ms
# against 1.3-1.5 ms in a fresh copy (docs/reliability.md). So once deletes reach the live
# count, the live chunks are copied into a fresh collection: ~2 ms a chunk (27 s for SciFact),
# against ~27 ms a chunk for embedding what replaced the deleted ones.
_COMPACT_RATIO = 1.0
_COMPACT_MIN = 1000  # below this a stale graph costs too little to notice
_COMPACTED = "-compacted-"


class Store:
    """Chroma collection + manifest under one folder. Writes for a file go chunks first, manifest
    last, so an interrupted run leaves at worst chunks the manifest does not list, which the next
    sync deletes (`repair`)."""

    def __init__(
        self,
        index_dir: Path,
        model: str,
        rebuild: bool = False,
        server: str = "",
        collection: str = COLLECTION,
    ) -> None:
        import chromadb

        self.index_dir = index_dir
        self.model = model
        self.server = server
        self.collection_name = collection
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the index folder {index_dir} ({exc.strerror}): choose a folder "
                "you can write to with --index or RAG_INDEX_DIR"
            ) from None
        with CHROMA_OPEN:
            try:
                self._open(index_dir)
            except StoreError:
                raise
            except Exception as exc:  # Chroma raises many types for a damaged database
                if not rebuild or server:
                    raise StoreError(
                        f"the Chroma database in {index_dir} cannot be opened "
                        f"({type(exc).__name__}: {exc}); rebuild the index with "
                        "`rag ingest --rebuild PATH...`"
                    ) from None
                # A rebuild must work even on a database too damaged to open: start it afresh.
                remove_chroma_files(index_dir)
                chromadb.api.client.SharedSystemClient.clear_system_cache()
                self._open(index_dir)
        # Replaced whole on every change, never changed in place: a sync reads it outside the
        # write lock (another thread's sync may be writing), so an iteration must never see it
        # change under it.
        self.files: dict[str, FileRecord] = {}
        # The model the manifest says wrote the chunks ("" for an empty index).
        self.recorded_model = ""
        self.deleted = 0  # vectors deleted from the collection: dead weight in its vector index
        # Changes on every write; the search snapshot records the generation it was built from.
        self.generation = ""
        # The vectors of the model that wrote the index for embed.FINGERPRINT_TEXTS (None
        # until first written, or for an index written before they were kept).
        self.fingerprint: np.ndarray | None = None
        self._agreed: object | None = None  # the embedder last found to agree with it
        self._stamp: object | None = None
        if not rebuild:  # a rebuild must not trip over a damaged manifest it will replace
            self.refresh(strict=False)

    def _open(self, index_dir: Path) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        if self.server:
            self._client = http_client(self.server, settings)
            self._collection = self._open_collection()
            self._manifest: ManifestBackend = ManifestInChroma(self._client, self.collection_name)
        else:
            self._client = chromadb.PersistentClient(path=str(index_dir), settings=settings)
            self._manifest = ManifestFile(index_dir)
            self._collection = self._open_collection(self._named_in_manifest())

    def _open_collection(self, name: str = ""):  # -> chromadb Collection
        """The configured collection, created if new, or the compacted copy `name` if it
        exists (else the configured one: reading the manifest then reports the mismatch)."""
        from chromadb.errors import NotFoundError

        if name and name != self.collection_name:
            with contextlib.suppress(NotFoundError):
                return self._client.get_collection(name, embedding_function=None)
        # embedding_function=None: we always pass our own vectors, so Chroma must never try to
        # fetch its default model.
        return self._client.get_or_create_collection(
            self.collection_name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def _named_in_manifest(self) -> str:
        """The collection the manifest says holds the chunks ("" if it says nothing readable),
        so opening an index never creates an empty configured collection beside a compacted
        one. The manifest is read again, in full, by `refresh`."""
        try:
            return str(json.loads(self._manifest.read() or "{}").get("collection", ""))
        except (ValueError, AttributeError):
            return ""

    @property
    def location(self) -> str:
        """Where the chunks live, for messages: the folder, or the server and collection."""
        if self.server:
            return f"{self.server} (collection {self.collection_name!r})"
        return str(self.index_dir)

    # -- manifest --------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self, timeout: float, rebuild: bool = False) -> Iterator[None]:
        """Hold the index's write lock, so two processes never interleave writes. Waits up to
        `timeout` seconds for another writer, then refuses with a message saying so. With
        `rebuild`, the index is emptied once the lock is held."""
        busy = IndexBusy(
            f"another process is writing to the index at {self.index_dir} (an ingest or "
            "upload); wait for it to finish and try again"
        )
        with locked(self.index_dir / LOCK, timeout, busy):
            if rebuild:
                self.reset()
            else:
                self.refresh(strict=False)  # another writer may have changed it meanwhile
            yield
            self.compact()

    def refresh(self, strict: bool = True) -> None:
        """Re-read the manifest if another process changed it since we last did (one stat, or
        one small request in server mode).

        `strict` (for readers) refuses an index that has chunks but no manifest, instead of
        answering from nothing; a writer repairs that case, so it passes strict=False."""
        stamp = self._call(self._manifest.stamp)
        if stamp != self._stamp:
            self.files, self.generation = self._read_manifest()
            self._stamp = stamp
        if strict and stamp is None and self.count():
            raise StoreError(
                f"the index at {self.location} has chunks but no manifest (an interrupted "
                "first ingest, or a deleted manifest); run `rag ingest PATH...` again to repair "
                "it, or `rag ingest --rebuild PATH...`"
            )

    def _read_manifest(self) -> tuple[dict[str, FileRecord], str]:
        text = self._call(self._manifest.read)
        if text is None:
            return {}, ""
        where = self._manifest.describe()
        try:
            data = json.loads(text)
            if data.get("version") != MANIFEST_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            files = {key: FileRecord(**record) for key, record in data["files"].items()}
            deleted = int(data.get("deleted", 0))
            collection = str(data.get("collection", self.collection_name))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"the index manifest {where} is unreadable ({exc}); "
                "rebuild the index with `rag ingest --rebuild PATH...`"
            ) from None
        fingerprint = data.get("fingerprint")
        self.fingerprint = None if fingerprint is None else np.asarray(fingerprint, np.float32)
        self._agreed = None
        self.recorded_model = str(data.get("model") or "") if files else ""
        # With a fingerprint, `check_embedder` compares vectors, which a name cannot.
        if files and fingerprint is None and data.get("model") != self.model:
            raise StoreError(
                f"the index at {self.location} was built with embedding model "
                f"{data.get('model')!r}, not {self.model!r}; use that model, or rebuild with "
                "`rag ingest --rebuild PATH...`"
            )
        self._use_collection(collection)
        self.deleted = deleted
        return files, str(data.get("generation", ""))

    def save_manifest(self) -> None:
        """Write the manifest atomically (a reader sees the old or the new one, never half)."""
        self.generation = uuid.uuid4().hex
        payload = {
            "version": MANIFEST_VERSION,
            "generation": self.generation,
            "model": self.model,
            "dimension": None if self.fingerprint is None else self.fingerprint.shape[1],
            "fingerprint": None
            if self.fingerprint is None
            else [[round(float(x), 5) for x in row] for row in self.fingerprint],
            # Which collection holds the chunks (a compaction moves them), and how many vectors
            # were deleted from it since (see `compact`).
            "collection": self._collection.name,
            "deleted": self.deleted,
            "files": {key: asdict(record) for key, record in sorted(self.files.items())},
        }
        self._call(self._manifest.write, json.dumps(payload, indent=1), self.generation)
        self.recorded_model = self.model if self.files else ""
        self._stamp = self._call(self._manifest.stamp)

    def _call(self, function, *args):
        """Run a manifest operation, turning a lost Chroma server into a StoreError."""
        try:
            return function(*args)
        except OSError:
            raise
        except Exception as exc:
            if not self.server:
                raise
            raise unreachable(self.server, exc) from None

    # -- chunks ----------------------------------------------------------------------------
    def replace_files(self, files: list[FileWrite]) -> None:
        """For each (key, record, chunks, vectors, sentence vectors): make `chunks` the only
        chunks of file `key`; then record all of them in the manifest with one write. A file not
        in the manifest has no chunks to delete: `repair` removed any left by an interrupted write
        when this write began."""
        self._delete_ids([i for key, *_ in files if key in self.files for i in self._ids(key)])
        ids, vectors, texts, metadatas = [], [], [], []
        for key, record, chunks, file_vectors, sentences in files:
            ids += chunk_ids(key, record)
            vectors.append(file_vectors)
            texts += [chunk.text for chunk in chunks]
            metadatas += [
                chunk_metadata(key, chunk, chunk_sentences)
                for chunk, chunk_sentences in zip(chunks, sentences, strict=True)
            ]
        # Chroma caps how many records one call may add.
        step = self._client.get_max_batch_size()
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        for at in range(0, len(ids), step):
            self._collection.add(
                ids=ids[at : at + step],
                embeddings=stacked[at : at + step],
                documents=texts[at : at + step],
                metadatas=metadatas[at : at + step],
            )
        self.files = {**self.files, **{key: record for key, record, *_ in files}}
        self.save_manifest()

    def reset(self) -> None:
        """Drop every chunk and the manifest: the start of a rebuild."""
        for name in self._own_collections():
            self._client.delete_collection(name)
        self._collection = self._open_collection()
        self.files = {}
        self.deleted = 0
        self.fingerprint = None
        self._agreed = None
        self.save_manifest()

    def check_embedder(self, embedder: Embedder) -> None:
        """Refuse `embedder` unless its vectors are the index's model's: vectors from two models
        are not comparable, so mixing them (another RAG_EMBED_MODEL, or an embedding server
        serving another model) would make search silently meaningless. An empty index, or one
        written before fingerprints were kept, takes the embedder's fingerprint."""
        if self._agreed is embedder:
            return
        vectors = fingerprint(embedder)
        if self.fingerprint is not None and self.files:
            written = self.recorded_model
            by = f" (written by {written!r})" if written and written != embedder.name else ""
            check_agreement(
                self.fingerprint, vectors, embedder.name, f"the index at {self.location}{by}"
            )
        else:
            self.fingerprint = vectors
        self.model = embedder.name
        self._agreed = embedder

    def compact(self) -> bool:
        """Copy the live chunks into a fresh collection once deletes have left as many dead
        vectors in Chroma's vector index as live ones (see _COMPACT_RATIO); True if it did.
        The manifest switches to the copy in one write, so an interruption leaves the old
        collection in use and the partial copy to be dropped by the next compaction. Embedded
        mode only: a server's collection may be in use by other machines' processes."""
        live = sum(record.chunks for record in self.files.values())
        if self.server or self.deleted < max(_COMPACT_MIN, _COMPACT_RATIO * live):
            return False
        old = self._collection
        fresh = self._client.create_collection(
            f"{self.collection_name}{_COMPACTED}{uuid.uuid4().hex[:8]}",
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        ids = [i for key in self.files for i in self._ids(key)]
        step = min(_PAGE, self._client.get_max_batch_size())
        for at in range(0, len(ids), step):
            got = old.get(ids=ids[at : at + step], include=["embeddings", "documents", "metadatas"])
            fresh.add(
                ids=got["ids"],
                embeddings=got["embeddings"],
                documents=got["documents"],
                metadatas=got["metadatas"],
            )
        self._collection = fresh
        self.deleted = 0
        self.save_manifest()
        for name in self._own_collections():
            if name != fresh.name:
                self._client.delete_collection(name)
        return True

    def _own_collections(self) -> list[str]:
        """This index's chunk collections: the configured one and compacted copies."""
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        base = self.collection_name
        return [n for n in names if n == base or n.startswith(base + _COMPACTED)]

    def _use_collection(self, name: str) -> None:
        """Switch to the collection the manifest names (another process may have compacted)."""
        if name == self._collection.name:
            return
        from chromadb.errors import NotFoundError

        try:
            self._collection = self._client.get_collection(name, embedding_function=None)
        except (NotFoundError, ValueError):
            raise StoreError(
                f"the index manifest names Chroma collection {name!r}, which {self.location} "
                "does not have; rebuild the index with `rag ingest --rebuild PATH...`"
            ) from None

    def set_metadata(self, metadata: dict[str, dict]) -> None:
        """Keep what a caller said about indexed files (a LlamaIndex Document's metadata) in
        their records, with one manifest write; keys not indexed are ignored."""
        known = {key: value for key, value in metadata.items() if key in self.files}
        if not known:
            return
        changed = {key: replace(self.files[key], metadata=value) for key, value in known.items()}
        self.files = {**self.files, **changed}
        self.save_manifest()

    def remove_files(self, keys: list[str]) -> None:
        """Delete these files' chunks and forget them, with one manifest write for all."""
        if not keys:
            return
        self._delete_ids([i for key in keys if key in self.files for i in self._ids(key)])
        gone = set(keys)
        self.files = {key: record for key, record in self.files.items() if key not in gone}
        self.save_manifest()

    def repair(self) -> dict[str, FileRecord]:
        """Bring Chroma and the manifest into agreement after an interrupted write: delete the
        chunks the manifest does not list, and forget files whose chunks are incomplete (so a
        sync indexes them again). Returns the records of the files forgotten.

        Chunk ids name their file, its content hash and recipe, so reading ids alone tells:
        0.2 s at 100k chunks, where reading every chunk's metadata took ~10 s there and failed
        past ~32k chunks (SQLite's limit on query variables)."""
        stored = set(self._collection.get(include=[])["ids"])
        expected = {key: self._ids(key) for key in self.files}
        listed = {i for ids in expected.values() for i in ids}
        self._delete_ids(sorted(stored - listed))
        incomplete = {
            key: self.files[key] for key, ids in expected.items() if not stored.issuperset(ids)
        }
        self.remove_files(list(incomplete))
        return incomplete

    def _ids(self, key: str) -> list[str]:
        """The ids of the chunks the manifest lists for file `key`."""
        record = self.files[key]
        return chunk_ids(key, record)

    def _delete_ids(self, ids: list[str]) -> None:
        self.deleted += len(ids)
        # By id, not `where key = ...`: a filtered delete scans the metadata, ~42 ms a file at
        # 100k chunks, against ~4.5 ms by id.
        step = self._client.get_max_batch_size()
        for at in range(0, len(ids), step):
            self._collection.delete(ids=ids[at : at + step])

    def count(self) -> int:
        return self._collection.count()

    def stored_chunks(self, keys: list[str] | None = None) -> Iterator[StoredChunk]:
        """Every chunk with its vectors, or only the chunks of the files `keys`, read in pages
        (to build a search snapshot from)."""
        if keys is None:
            yield from self._read_pages(None)
            return
        for at in range(0, len(keys), _KEYS_PER_READ):
            some = [stored_key(key) for key in keys[at : at + _KEYS_PER_READ]]
            yield from self._read_pages({"key": {"$in": some}})

    def _read_pages(self, where: dict | None) -> Iterator[StoredChunk]:
        # The keys Chroma holds in another form (names that are not UTF-8), back to their own.
        keys = {escaped: key for key in self.files if (escaped := stored_key(key)) != key}
        offset = 0
        while True:
            got = self._collection.get(
                where=where,
                include=["documents", "metadatas", "embeddings"],
                limit=_PAGE,
                offset=offset,
            )
            for chunk_id, text, meta, vector in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                yield stored_chunk(chunk_id, text, meta, vector, keys)
            if len(got["ids"]) < _PAGE:
                return
            offset += _PAGE

    def nearest(
        self, vector: np.ndarray, k: int, keys: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """Ids of the `k` chunks nearest to `vector` with their cosine similarity, best first,
        among the chunks of the files `keys` if given (Chroma filters before it ranks, so `k`
        come back from those files). Only ids and distances: search reads the chunks themselves
        from its snapshot."""
        # No count() first to cap `k`: Chroma returns what it has, and counting costs ~10 ms
        # a query at 100k chunks.
        from chromadb.errors import NotFoundError

        where = None if keys is None else {"key": {"$in": [stored_key(key) for key in keys]}}
        try:
            result = self._knn(vector, k, where)
        except NotFoundError:
            # Another process compacted the index (see `compact`) after our last manifest check.
            self.refresh()
            result = self._knn(vector, k, where)
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def _knn(self, vector: np.ndarray, k: int, where: dict | None = None) -> dict:
        return self._collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["distances"]
        )

    def sentence_vectors(self, chunk_id: str) -> SentenceVectors | None:
        """A chunk's stored sentence vectors, read from Chroma (search snapshots hold them for
        every chunk of their generation). None for chunks indexed before they were stored, or
        gone."""
        got = self._collection.get(ids=[chunk_id], include=["metadatas"])
        meta = got["metadatas"][0] if got["ids"] else None
        return decode_sentences(meta) if meta is not None else None

    def size_bytes(self) -> int:
        """Bytes the index folder takes on disk (in server mode: the local search snapshot)."""
        return folder_bytes(self.index_dir)
