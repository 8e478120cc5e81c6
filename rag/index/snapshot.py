"""What a search reads, per generation of the store: the keyword index plus a table of every
chunk's text, place and vectors, built from the store and saved beside it.

Reading a search's ~90 candidates from Chroma (SQLite rows, base64 metadata) took ~10 ms of a
~24 ms top-10 search; from memory-mapped arrays it takes microseconds, so Chroma is asked only
for the nearest ids and their distances. Chroma stays the source of truth: a snapshot is rebuilt
from it whenever the manifest's generation changes, and in server mode each process keeps its
own in its local folder. A rebuild copies the rows of files the manifest records exactly as the
previous snapshot saw them (same hash, chunk count and time of indexing: any re-index of a file
changes the time) and reads only the other files' chunks from Chroma; with no previous snapshot
it reads them all. Keyword tokens are kept too, so BM25 is re-indexed without tokenising again
(bm25s has no incremental add). At 100k chunks a first build took 40 s here, one from a previous
snapshot 4.1-4.7 s; at 2.6k chunks, ~1 s. The cost is disk: texts and vectors are stored a second
time (~6 KB a chunk), read through the page cache."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

import numpy as np

from ..text.chunking import FENCE
from ..text.keywords import TOKENS_VERSION, tokenize
from ..text.languages import detect
from ..text.references import reference_share
from ..text.sections import Outline, headings
from ..types import Passage, SentenceVectors
from .files import atomic_write
from .keyword_index import LexicalIndex
from .records import SENTENCE_DTYPE, FileRecord, StoredChunk
from .store import Store

POINTER = "snapshot.json"
_FOLDER_PREFIX = "snapshot-"
_TABLE = "chunks.json"
_NONE = -1  # no page / no stored sentence vectors, in the integer columns
# Columns of the per-chunk integer table.
_KEY, _SOURCE, _PAGE, _START, _END, _SENTENCES, _LANGUAGE = range(7)
_VECTOR_DTYPE = np.float32
# What reading a missing, damaged, foreign or meanwhile-replaced snapshot raises.
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, AttributeError)
# The memory-mapped files, which searches read a few rows of at a time (see `read_ahead`).
_MAPPED = ("text.bin", "vectors.bin", "spans.bin", "sentences.bin", "tokens.bin")
_READ_AHEAD_BYTES = 8 << 20


class Snapshot:
    """One generation of the store, every chunk at a fixed position: its id, text, place,
    vector and sentence vectors, and the keyword index over the same positions."""

    def __init__(self, folder: Path, generation: str, params: tuple[float, float]) -> None:
        """Open the snapshot saved in `folder` (OSError or ValueError when missing or damaged)."""
        meta = json.loads((folder / _TABLE).read_text(encoding="utf-8"))
        self.folder = folder
        self.generation = generation
        self.params = params  # BM25 (k1, b): a snapshot built with others is rebuilt
        self.ids: list[str] = meta["ids"]
        self._names: list[str] = meta["names"]
        # Each chunk's language (ISO 639-1, "" unknown), detected when the chunk was added.
        self._languages: list[str] = meta["languages"]
        # The manifest record of each file when this snapshot was built: (sha256, chunks,
        # indexed_at), for telling which rows the next build may copy.
        self._files: dict[str, list] = meta["files"]
        self._columns = np.load(folder / "columns.npy")
        self._text_at = np.load(folder / "text_offsets.npy")
        self._sentences_at = np.load(folder / "sentence_offsets.npy")
        count, dim, sentences = len(self.ids), meta["dim"], meta["sentences"]
        self._text = _mapped(folder / "text.bin", np.uint8, (int(self._text_at[-1]),))
        self._vectors = _mapped(folder / "vectors.bin", _VECTOR_DTYPE, (count, dim))
        self._spans = _mapped(folder / "spans.bin", np.int32, (sentences, 2))
        self._sentence_vectors = _mapped(folder / "sentences.bin", SENTENCE_DTYPE, (sentences, dim))
        self._vocabulary: list[str] = meta["vocabulary"]
        self._tokens_at = np.load(folder / "token_offsets.npy")
        self._tokens = _mapped(folder / "tokens.bin", np.int32, (int(self._tokens_at[-1]),))
        self.lexical = LexicalIndex.load(folder)
        offsets = (len(self._text_at), len(self._sentences_at), len(self._tokens_at))
        if self.lexical.size != count or len(self._columns) != count or offsets != (count + 1,) * 3:
            raise ValueError(f"snapshot in {folder} is inconsistent")
        self._position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        self._opens_in_code: dict[int, bool] = {}
        self._reference_share: dict[int, float] = {}
        self._outlines: dict[str, Outline] = {}

    def read_ahead(self) -> None:
        """Read the memory-mapped files through once, so the OS page cache holds them. After a
        reboot, a search otherwise waits on the disk for its candidates' scattered rows: at
        100k chunks the first query took 66-94 ms against 16-24 ms after this read (~0.9 s
        for 550 MB). Plain reads, not touching the maps, so the process's RSS does not grow.
        A snapshot this process just built (then renamed) was just written, so is cached."""
        buffer = bytearray(_READ_AHEAD_BYTES)
        for name in _MAPPED:
            with contextlib.suppress(FileNotFoundError):
                with open(self.folder / name, "rb", buffering=0) as handle:
                    while handle.readinto(buffer):
                        pass

    @classmethod
    def load(cls, index_dir: Path, generation: str, params: tuple) -> Snapshot | None:
        """The saved snapshot if it was built from `generation` with BM25 `params` and this
        tokenizer, else None (it must be rebuilt)."""
        try:
            pointer = json.loads((index_dir / POINTER).read_text(encoding="utf-8"))
            wanted = (generation, list(params), TOKENS_VERSION)
            if (pointer.get("generation"), pointer.get("params"), pointer.get("tokens")) != wanted:
                return None
            return cls(index_dir / pointer["folder"], generation, params)
        except _UNREADABLE:
            return None  # rebuilding repairs it

    @classmethod
    def latest(cls, index_dir: Path) -> Snapshot | None:
        """The saved snapshot whatever its generation (rows a rebuild may copy), or None."""
        try:
            pointer = json.loads((index_dir / POINTER).read_text(encoding="utf-8"))
            if pointer.get("tokens") != TOKENS_VERSION:
                return None  # its keyword tokens are another tokenizer's: nothing to copy
            params = tuple(pointer["params"])
            return cls(index_dir / pointer["folder"], pointer["generation"], params)
        except _UNREADABLE:
            return None

    @classmethod
    def build(
        cls,
        store: Store,
        generation: str,
        params: tuple[float, float],
        previous: Snapshot | None = None,
    ) -> Snapshot:
        """Bring every chunk of `store` into a new snapshot (copying what it can from
        `previous`) and make it the saved one. Written to a hidden folder, opened, then renamed
        and pointed to: other processes see the old snapshot or the whole new one, and one that
        deletes this folder meanwhile (it saved a newer generation) cannot pull the files from
        under this process's open maps."""
        index_dir = store.index_dir
        work = Path(tempfile.mkdtemp(dir=index_dir, prefix=f".{_FOLDER_PREFIX}"))
        try:
            _write(store, work, params, previous)
            snapshot = cls(work, generation, params)
            folder = index_dir / work.name[1:]
            os.rename(work, folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)  # only left if building failed
        pointer = {
            "generation": generation,
            "params": params,
            "folder": folder.name,
            "tokens": TOKENS_VERSION,
        }
        atomic_write(index_dir / POINTER, json.dumps(pointer))
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

    def positions_of(self, key: str) -> list[int]:
        """The positions of the chunks of the file with manifest `key`, in document order."""
        try:
            n = self._names.index(key)
        except ValueError:
            return []
        mine = np.flatnonzero(self._columns[:, _KEY] == n)
        return mine[np.argsort(self._columns[mine, _START], kind="stable")].tolist()

    def in_files(self, keys: Collection[str]) -> np.ndarray:
        """A boolean per chunk: whether it belongs to one of the files with manifest `keys`."""
        wanted = set(keys)
        ids = [n for n, name in enumerate(self._names) if name in wanted]
        return np.isin(self._columns[:, _KEY], ids)

    def language(self, i: int) -> str:
        """Chunk `i`'s language (an ISO 639-1 code, "" when it had too few letters to tell)."""
        return self._languages[self._columns[i, _LANGUAGE]]

    def language_counts(self) -> dict[str, int]:
        """How many chunks are in each language, most first."""
        counts = np.bincount(self._columns[:, _LANGUAGE], minlength=len(self._languages))
        return {self._languages[n]: int(counts[n]) for n in np.argsort(-counts, kind="stable")}

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
            opens_in_code=self.opens_in_code(i),
            sections=self.sections(i),
            language=self.language(i),
        )

    def opens_in_code(self, i: int) -> bool:
        """Whether chunk `i` starts inside a markdown code fence opened in an earlier chunk (an
        overlapping chunk often starts in a code block's tail, so its first fence closes one).
        Worked out once per file from its chunks in order: they tile the text, overlapping."""
        known = self._opens_in_code.get(i)
        if known is not None:
            return known
        covered, open_at_covered = None, False
        for position in self.positions_of(self.key(i)):
            start, end = (int(v) for v in self._columns[position, [_START, _END]])
            text = self.text(position)
            opens = open_at_covered
            if covered is not None and start < covered:  # the overlap was counted already
                opens ^= text.count(FENCE, 0, covered - start) % 2 == 1
            self._opens_in_code[position] = opens
            if covered is None or end >= covered:
                covered, open_at_covered = end, opens ^ (text.count(FENCE) % 2 == 1)
        return self._opens_in_code.get(i, False)

    def sections(self, i: int) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Chunk `i`'s section paths: where it starts and at each heading inside it."""
        start, end = (int(v) for v in self._columns[i, [_START, _END]])
        return self.outline(self.key(i)).paths(start, end)

    def outline(self, key: str) -> Outline:
        """The headings of the file with manifest `key`, read once per snapshot from its chunks,
        the gaps between them (whitespace the chunker trimmed) read as line breaks."""
        outline = self._outlines.get(key)
        if outline is None:
            pieces: list[str] = []
            covered = 0
            for position in self.positions_of(key):
                start, end = (int(v) for v in self._columns[position, [_START, _END]])
                if end <= covered:
                    continue
                text = self.text(position)
                if start >= covered:
                    pieces.append("\n" * (start - covered) + text)
                else:
                    pieces.append(text[covered - start :])
                covered = end
            outline = self._outlines[key] = Outline(headings("".join(pieces)))
        return outline

    def reference_share(self, i: int) -> float:
        """The share of chunk `i`'s text that is references or notes (text/references.py), worked
        out on first use: ~0.5 ms a chunk, and only the best candidates of a search ask."""
        share = self._reference_share.get(i)
        if share is None:
            share = self._reference_share[i] = reference_share(self.text(i))
        return share

    def sentence_rows(self, i: int) -> np.ndarray:
        """Chunk `i`'s sentence vectors alone (no rows when it has none stored)."""
        rows = self._sentence_vectors[self._sentences_at[i] : self._sentences_at[i + 1]]
        return np.asarray(rows, dtype=np.float32)

    def reusable(self, files: dict[str, FileRecord]) -> tuple[list[int], list[str]]:
        """For a manifest's `files`: the positions of this snapshot's chunks that a rebuild may
        copy (their file's record is unchanged and all its chunks are here), and the files whose
        chunks must be read from the store."""
        counts = np.bincount(self._columns[:, _KEY], minlength=len(self._names))
        unchanged = np.zeros(len(self._names), dtype=bool)
        fresh = []
        where = {name: n for n, name in enumerate(self._names)}
        for key, record in files.items():
            n = where.get(key)
            seen = self._files.get(key)
            if n is not None and seen == _record(record) and counts[n] == record.chunks:
                unchanged[n] = True
            else:
                fresh.append(key)
        return np.flatnonzero(unchanged[self._columns[:, _KEY]]).tolist(), fresh

    def sentences(self, i: int) -> SentenceVectors | None:
        """Chunk `i`'s sentence spans and vectors; None if it was indexed without them."""
        if self._columns[i, _SENTENCES] == _NONE:
            return None
        spans = self._spans[self._sentences_at[i] : self._sentences_at[i + 1]]
        return SentenceVectors(tuple((int(a), int(b)) for a, b in spans), self.sentence_rows(i))


def _record(record: FileRecord) -> list:
    return [record.sha256, record.chunks, record.indexed_at]


def _write(
    store: Store, folder: Path, params: tuple[float, float], previous: Snapshot | None
) -> None:
    """Write a snapshot of every chunk of `store` into `folder`: the rows `previous` can give,
    copied in bulk, then the rest read from the store."""
    files = dict(store.files)  # a refresh in another thread may replace it meanwhile
    with _Writer(folder) as writer:
        if previous is None:
            fresh = store.stored_chunks()
        else:
            copied, keys = previous.reusable(files)
            writer.copy(previous, np.asarray(copied, dtype=np.int64))
            fresh = store.stored_chunks(keys)
        for stored in fresh:
            writer.add(stored)
    writer.finish(files, params)


class _Writer:
    """Appends chunks to the files of a snapshot: the large parts go straight to disk, so
    memory stays bounded by the keyword index being built."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids: list[str] = []
        self.names: dict[str, int] = {}
        self.languages: dict[str, int] = {}
        self.columns: list[np.ndarray] = []
        self.text_at, self.sentences_at = [np.zeros(1, dtype=np.int64)], [np.zeros(1, np.int64)]
        self.vocabulary: dict[str, int] = {}
        self.tokens: list[np.ndarray] = []  # each chunk's keyword tokens, as vocabulary ids
        self.dim = 0
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> _Writer:
        self.text, self.vectors, self.spans, self.sentence_vectors = (
            self._stack.enter_context(open(self.folder / name, "wb"))
            for name in ("text.bin", "vectors.bin", "spans.bin", "sentences.bin")
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def add(self, stored: StoredChunk) -> None:
        chunk, sentences = stored.chunk, stored.sentences
        self.dim = self.dim or len(stored.vector)
        self.ids.append(stored.chunk_id)
        key = self.names.setdefault(stored.key, len(self.names))
        source = self.names.setdefault(chunk.source, len(self.names))
        page = _NONE if chunk.page is None else chunk.page
        count = _NONE if sentences is None else len(sentences.spans)
        language = chunk.language or detect(chunk.text)  # chunks indexed before it was kept
        code = self.languages.setdefault(language, len(self.languages))
        self.columns.append(np.array([[key, source, page, chunk.start, chunk.end, count, code]]))
        encoded = chunk.text.encode("utf-8")
        self.text.write(encoded)
        self._offsets(self.text_at, [len(encoded)])
        # Unit length, so a dot product is the cosine Chroma reports for its nearest chunks
        # (indexes written before the embedder normalised in float32 hold bfloat16 vectors up to
        # 0.4% off unit length).
        norm = float(np.linalg.norm(stored.vector)) or 1.0
        (stored.vector / norm).astype(_VECTOR_DTYPE).tofile(self.vectors)
        if sentences is not None and sentences.spans:
            np.asarray(sentences.spans, dtype=np.int32).tofile(self.spans)
            sentences.vectors.astype(SENTENCE_DTYPE).tofile(self.sentence_vectors)
        self._offsets(self.sentences_at, [max(count, 0)])
        words = tokenize(chunk.text, language)
        ids = [self.vocabulary.setdefault(word, len(self.vocabulary)) for word in words]
        self.tokens.append(np.asarray(ids, dtype=np.int32))

    def copy(self, previous: Snapshot, positions: np.ndarray) -> None:
        """Append `previous`'s chunks at `positions` (ascending) as they are. Unchanged files
        leave long stretches of consecutive positions, each copied with one slice per array:
        slicing the memory maps chunk by chunk took ~1.5 s of a 6.4 s rebuild at 100k chunks."""
        if not len(positions):
            return
        self.dim = self.dim or previous._vectors.shape[1]
        self.ids += [previous.ids[i] for i in positions]
        columns = previous._columns[positions]  # fancy indexing: a copy
        lookup = np.zeros(len(previous._names), dtype=np.int64)  # old name index -> new
        for old in np.unique(columns[:, [_KEY, _SOURCE]]):
            lookup[old] = self.names.setdefault(previous._names[old], len(self.names))
        columns[:, _KEY] = lookup[columns[:, _KEY]]
        columns[:, _SOURCE] = lookup[columns[:, _SOURCE]]
        codes = [
            self.languages.setdefault(name, len(self.languages)) for name in previous._languages
        ]
        columns[:, _LANGUAGE] = np.asarray(codes, dtype=np.int64)[columns[:, _LANGUAGE]]
        self.columns.append(columns)
        runs = _runs(positions)
        text_at, sentences_at = previous._text_at, previous._sentences_at
        for first, end in runs:
            self.text.write(previous._text[text_at[first] : text_at[end]])
            previous._spans[sentences_at[first] : sentences_at[end]].tofile(self.spans)
            rows = previous._sentence_vectors[sentences_at[first] : sentences_at[end]]
            rows.tofile(self.sentence_vectors)
        self._offsets(self.text_at, text_at[positions + 1] - text_at[positions])
        self._offsets(self.sentences_at, sentences_at[positions + 1] - sentences_at[positions])
        previous._vectors[positions].tofile(self.vectors)
        # Tokens too, so BM25 is rebuilt without tokenising every copied chunk again.
        tokens_at = previous._tokens_at
        old = np.concatenate([previous._tokens[tokens_at[a] : tokens_at[b]] for a, b in runs])
        word_ids = np.zeros(len(previous._vocabulary), dtype=np.int32)  # old token id -> new
        for word in np.unique(old):
            word_ids[word] = self.vocabulary.setdefault(
                previous._vocabulary[word], len(self.vocabulary)
            )
        lengths = tokens_at[positions + 1] - tokens_at[positions]
        self.tokens += np.split(word_ids[old], np.cumsum(lengths)[:-1])

    @staticmethod
    def _offsets(offsets: list[np.ndarray], lengths) -> None:
        """Extend running end offsets (a list of arrays, the last ending where the data does)."""
        offsets.append(offsets[-1][-1] + np.cumsum(np.asarray(lengths, dtype=np.int64)))

    def finish(self, files: dict[str, FileRecord], params: tuple[float, float]) -> None:
        """Write what was gathered in memory: columns, offsets, the keyword index, the table."""
        folder = self.folder
        columns = np.concatenate([np.zeros((0, 7), np.int64), *self.columns]).astype(np.int64)
        np.save(folder / "columns.npy", columns)
        np.save(folder / "text_offsets.npy", np.concatenate(self.text_at))
        sentences_at = np.concatenate(self.sentences_at)
        np.save(folder / "sentence_offsets.npy", sentences_at)
        np.concatenate([np.zeros(0, np.int32), *self.tokens]).tofile(folder / "tokens.bin")
        tokens_at = [np.zeros(1, np.int64)]
        self._offsets(tokens_at, [len(ids) for ids in self.tokens])
        np.save(folder / "token_offsets.npy", np.concatenate(tokens_at))
        LexicalIndex.build(self.tokens, self.vocabulary, *params).save(folder)
        table = {
            "ids": self.ids,
            "names": list(self.names),
            "languages": list(self.languages),
            "dim": self.dim,
            "sentences": int(sentences_at[-1]),
            "files": {key: _record(record) for key, record in files.items()},
            "vocabulary": list(self.vocabulary),
        }
        (folder / _TABLE).write_text(json.dumps(table), encoding="utf-8")


def _runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """The stretches of consecutive values in ascending `positions`, as (first, last + 1)."""
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    firsts = positions[np.concatenate([[0], breaks])]
    ends = positions[np.concatenate([breaks - 1, [len(positions) - 1]])] + 1
    return list(zip(firsts.tolist(), ends.tolist(), strict=True))


def _mapped(path: Path, dtype, shape: tuple[int, ...]) -> np.ndarray:
    """The array in `path`, memory-mapped read-only (mmap cannot map an empty file)."""
    if not np.prod(shape):
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=shape)
