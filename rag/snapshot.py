"""What a search reads, per generation of the store: the keyword index plus a table of every
chunk's text, place and vectors, built from one read of the whole store and saved beside it.

Reading a search's ~90 candidates from Chroma (SQLite rows, base64 metadata) took ~10 ms of a
~24 ms top-10 search; from memory-mapped arrays it takes microseconds, so Chroma is asked only
for the nearest ids and their distances. Chroma stays the source of truth: a snapshot is rebuilt
from it whenever the manifest's generation changes (one full read, ~1.5 s at 13k chunks and ~9 s
at 100k), and in server mode each process keeps its own in its local folder. The cost is disk:
texts and vectors are stored a second time (~6 KB a chunk), read through the page cache."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .lexical import LexicalIndex, tokenize
from .store import Store
from .types import Passage, SentenceVectors

POINTER = "snapshot.json"
_FOLDER_PREFIX = "snapshot-"
_TABLE = "chunks.json"
_NONE = -1  # no page / no stored sentence vectors, in the integer columns
# Columns of the per-chunk integer table.
_KEY, _SOURCE, _PAGE, _START, _END, _SENTENCES = range(6)
_VECTOR_DTYPE = np.float32
_SENTENCE_DTYPE = np.float16  # as the store keeps them


class Snapshot:
    """One generation of the store, every chunk at a fixed position: its id, text, place,
    vector and sentence vectors, and the keyword index over the same positions."""

    def __init__(self, folder: Path, generation: str, params: tuple[float, float]) -> None:
        """Open the snapshot saved in `folder` (OSError or ValueError when missing or damaged)."""
        meta = json.loads((folder / _TABLE).read_text(encoding="utf-8"))
        self.generation = generation
        self.params = params  # BM25 (k1, b): a snapshot built with others is rebuilt
        self.ids: list[str] = meta["ids"]
        self._names: list[str] = meta["names"]
        self._columns = np.load(folder / "columns.npy")
        self._text_at = np.load(folder / "text_offsets.npy")
        self._sentences_at = np.load(folder / "sentence_offsets.npy")
        count, dim, sentences = len(self.ids), meta["dim"], meta["sentences"]
        self._text = _mapped(folder / "text.bin", np.uint8, (int(self._text_at[-1]),))
        self._vectors = _mapped(folder / "vectors.bin", _VECTOR_DTYPE, (count, dim))
        self._spans = _mapped(folder / "spans.bin", np.int32, (sentences, 2))
        self._sentence_vectors = _mapped(
            folder / "sentences.bin", _SENTENCE_DTYPE, (sentences, dim)
        )
        self.lexical = LexicalIndex.load(folder)
        offsets = (len(self._text_at), len(self._sentences_at))
        if self.lexical.size != count or len(self._columns) != count or offsets != (count + 1,) * 2:
            raise ValueError(f"snapshot in {folder} is inconsistent")
        self._position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}

    @classmethod
    def load(cls, index_dir: Path, generation: str, params: tuple) -> Snapshot | None:
        """The saved snapshot if it was built from `generation` with BM25 `params`, else None
        (it must be rebuilt)."""
        try:
            pointer = json.loads((index_dir / POINTER).read_text(encoding="utf-8"))
            if pointer.get("generation") != generation or pointer.get("params") != list(params):
                return None
            return cls(index_dir / pointer["folder"], generation, params)
        except (OSError, ValueError, KeyError):
            return None  # missing, damaged or replaced meanwhile: rebuilding repairs it

    @classmethod
    def build(cls, store: Store, generation: str, params: tuple[float, float]) -> Snapshot:
        """Read every chunk of `store` into a new snapshot and make it the saved one. Written to
        a hidden folder, opened, then renamed and pointed to: other processes see the old
        snapshot or the whole new one, and one that deletes this folder meanwhile (it saved a
        newer generation) cannot pull the files from under this process's open maps."""
        index_dir = store.index_dir
        work = Path(tempfile.mkdtemp(dir=index_dir, prefix=f".{_FOLDER_PREFIX}"))
        try:
            _write(store, work, params)
            snapshot = cls(work, generation, params)
            folder = index_dir / work.name[1:]
            os.rename(work, folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)  # only left if building failed
        pointer = {"generation": generation, "params": params, "folder": folder.name}
        handle, tmp = tempfile.mkstemp(dir=index_dir, prefix=".snapshot-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(pointer, out)
        os.replace(tmp, index_dir / POINTER)
        for old in index_dir.glob(f"{_FOLDER_PREFIX}*"):
            if old.is_dir() and old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
        # The keyword index alone, as indexes made before snapshots kept it.
        for legacy in index_dir.glob("bm25-*"):
            shutil.rmtree(legacy, ignore_errors=True)
        (index_dir / "bm25.json").unlink(missing_ok=True)
        return snapshot

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, chunk_id: str) -> int | None:
        return self._position.get(chunk_id)

    def key(self, i: int) -> str:
        """The manifest key of the file chunk `i` belongs to."""
        return self._names[self._columns[i, _KEY]]

    def text(self, i: int) -> str:
        return bytes(self._text[self._text_at[i] : self._text_at[i + 1]]).decode("utf-8")

    def vectors(self, positions: list[int]) -> np.ndarray:
        return np.asarray(self._vectors[positions], dtype=np.float32)

    def passage(self, i: int, similarity: float) -> Passage:
        row = self._columns[i]
        return Passage(
            source=self._names[row[_SOURCE]],
            page=None if row[_PAGE] == _NONE else int(row[_PAGE]),
            start=int(row[_START]),
            end=int(row[_END]),
            text=self.text(i),
            score=similarity,
            similarity=similarity,
            chunk_id=self.ids[i],
        )

    def sentence_rows(self, i: int) -> np.ndarray:
        """Chunk `i`'s sentence vectors alone (no rows when it has none stored)."""
        rows = self._sentence_vectors[self._sentences_at[i] : self._sentences_at[i + 1]]
        return np.asarray(rows, dtype=np.float32)

    def sentences(self, i: int) -> SentenceVectors | None:
        """Chunk `i`'s sentence spans and vectors; None if it was indexed without them."""
        if self._columns[i, _SENTENCES] == _NONE:
            return None
        rows = slice(self._sentences_at[i], self._sentences_at[i + 1])
        spans = tuple((int(a), int(b)) for a, b in self._spans[rows])
        return SentenceVectors(spans, np.asarray(self._sentence_vectors[rows], dtype=np.float32))


def _write(store: Store, folder: Path, params: tuple[float, float]) -> None:
    """Stream every chunk of `store` into the files of a snapshot in `folder`: the large parts
    are appended page by page, so memory stays bounded by the keyword index being built."""
    ids: list[str] = []
    names: dict[str, int] = {}
    columns: list[tuple[int, ...]] = []
    text_at, sentences_at = [0], [0]
    tokens: list[list[str]] = []
    dim = 0
    with contextlib.ExitStack() as stack:
        text, vectors, spans, sentence_vectors = (
            stack.enter_context(open(folder / name, "wb"))
            for name in ("text.bin", "vectors.bin", "spans.bin", "sentences.bin")
        )
        for stored in store.stored_chunks():
            chunk, sentences = stored.chunk, stored.sentences
            dim = dim or len(stored.vector)
            ids.append(stored.chunk_id)
            key = names.setdefault(stored.key, len(names))
            source = names.setdefault(chunk.source, len(names))
            page = _NONE if chunk.page is None else chunk.page
            count = _NONE if sentences is None else len(sentences.spans)
            columns.append((key, source, page, chunk.start, chunk.end, count))
            encoded = chunk.text.encode("utf-8")
            text.write(encoded)
            text_at.append(text_at[-1] + len(encoded))
            # Unit length, so a dot product is the cosine Chroma reports for its nearest chunks
            # (vectors encoded in bfloat16 are up to ~1e-3 off unit length).
            norm = float(np.linalg.norm(stored.vector)) or 1.0
            (stored.vector / norm).astype(_VECTOR_DTYPE).tofile(vectors)
            if sentences is not None and sentences.spans:
                np.asarray(sentences.spans, dtype=np.int32).tofile(spans)
                sentences.vectors.astype(_SENTENCE_DTYPE).tofile(sentence_vectors)
            sentences_at.append(sentences_at[-1] + max(count, 0))
            tokens.append(tokenize(chunk.text))
    np.save(folder / "columns.npy", np.asarray(columns, dtype=np.int64).reshape(-1, 6))
    np.save(folder / "text_offsets.npy", np.asarray(text_at, dtype=np.int64))
    np.save(folder / "sentence_offsets.npy", np.asarray(sentences_at, dtype=np.int64))
    LexicalIndex.build(tokens, *params).save(folder)
    table = {"ids": ids, "names": list(names), "dim": dim, "sentences": sentences_at[-1]}
    (folder / _TABLE).write_text(json.dumps(table), encoding="utf-8")


def _mapped(path: Path, dtype, shape: tuple[int, ...]) -> np.ndarray:
    """The array in `path`, memory-mapped read-only (mmap cannot map an empty file)."""
    if not np.prod(shape):
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=shape)
