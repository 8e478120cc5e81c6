"""The small typed records that cross module boundaries: files become Documents, Documents become
Chunks, retrieval returns Passages, and answers carry Citations."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np


@dataclass(frozen=True)
class Page:
    """A span of a document's extracted text that came from one page (PDF) or the whole file."""

    number: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A file's extracted text; `pages` map character ranges back to page numbers."""

    source: str
    text: str
    pages: tuple[Page, ...]

    def page_at(self, offset: int) -> int | None:
        """The page number that holds character `offset` (None for formats without pages)."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages else None


@dataclass(frozen=True)
class Chunk:
    """A piece of a document to embed; `document.text[start:end] == text` always holds."""

    source: str
    page: int | None
    start: int
    end: int
    text: str
    language: str = ""  # its document's (ISO 639-1; "" when too short to tell)


@dataclass(frozen=True)
class SentenceVectors:
    """The sentences of one chunk (offsets into the chunk's text) with one unit vector each,
    pooled from the chunk's own contextual token embeddings at ingest (see rag/index/embed.py)."""

    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray  # float32, one row per span

    def lookup(self) -> dict[tuple[int, int], np.ndarray]:
        return dict(zip(self.spans, self.vectors, strict=True))


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk. `score` ranks passages for one query (the fusion of the dense and
    keyword sides, 0 to 1); `similarity` is the embedding cosine similarity to the question,
    `sentence_similarity` that of its closest sentence, and `coverage` the IDF-weighted share of
    the question's words the passage contains."""

    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float
    similarity: float = 0.0
    coverage: float = 0.0
    chunk_id: str = ""
    opens_in_code: bool = False  # the text starts inside a markdown code fence
    sentence_similarity: float = 0.0  # its best sentence's similarity to the question
    # Where its section path changes: (offset in the source's text, titles outermost first) at
    # its start and at each heading inside it, e.g. ((0, ("Guide",)), (120, ("Guide", "Text"))).
    sections: tuple[tuple[int, tuple[str, ...]], ...] = ()
    language: str = ""  # ISO 639-1, detected when indexed ("" when too short to tell)

    def section_at(self, offset: int) -> tuple[str, ...]:
        """The section path ("Guide", "Binary data") at `offset` in the source's text."""
        path: tuple[str, ...] = ()
        for start, titles in self.sections:
            if start > offset:
                break
            path = titles
        return path


@dataclass(frozen=True)
class Citation:
    """Where a claim of the answer comes from: passage `n` of `source`, and the sentence(s) quoted.

    `start`/`end` locate the passage in the source's extracted text; `quote_spans` locate each
    quoted sentence there too (absolute offsets), so a UI can highlight them exactly."""

    n: int
    source: str
    page: int | None
    start: int
    end: int
    text: str
    quote: str
    quote_spans: tuple[tuple[int, int], ...]
    score: float
    section: tuple[str, ...] = ()  # the section path of the first quote, outermost first


@dataclass(frozen=True)
class Answer:
    """The reply to a question. `found` is False when the documents do not answer it."""

    question: str
    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    # The closest passages, shown when `found` is False so the user sees what was considered.
    closest: list[Passage] = field(default_factory=list)
    # The standalone question actually searched (differs from `question` for follow-ups).
    searched: str = ""
    # "extractive" (quotes only) or "generative" (a model's sentences, each verified).
    mode: str = "extractive"
    # Generated sentences that their cited passages do not support (shown differently).
    unsupported: list[str] = field(default_factory=list)
    # Anything the user should know about how this answer was made (e.g. a model fallback).
    notice: str = ""
    # A near miss: the documents cover the topic but give no figure of the measure asked for
    # ("money", "duration" or a unit such as "tons"), or never mention a name it asks about (the
    # names); its `closest` passages are related, not an answer. Empty otherwise.
    missing: str = ""


@dataclass(frozen=True)
class Token:
    """A piece of an answer's text as it is produced (`RAG.query_stream`); the final `Answer`
    follows the last one."""

    text: str


StreamEvent = Token | Answer


@dataclass(frozen=True)
class GivenText:
    """A text handed to `RAG.ingest` instead of a file (a LlamaIndex `Document`, say): indexed
    under `key` and cited as `source`; `pages` map its character ranges to page numbers, and
    `metadata` (JSON values) is kept with it."""

    key: str
    source: str
    text: str
    pages: tuple[Page, ...]
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be indexed, and why, in words a user can act on."""

    source: str
    reason: str


@dataclass
class IngestReport:
    """What one ingest run did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    # Files in a given folder that are not of a supported type: listed, not counted as failures.
    skipped: list[FileFailure] = field(default_factory=list)
    # What a file's parser warned of while reading it (a PDF's broken cross-reference table):
    # kept here instead of printed, the file still indexed.
    warnings: list[FileFailure] = field(default_factory=list)
    chunks_added: int = 0

    def __add__(self, other: IngestReport) -> IngestReport:
        """Both runs' files and counts together (a sync of files, then of given texts)."""
        return IngestReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def about(self, source: str, record: object | None = None) -> IngestReport:
        """The part of this report about the file `source`; `record` (its manifest record, with
        a `chunks` count) gives the chunks it added."""
        mine = IngestReport(
            added=[s for s in self.added if s == source],
            updated=[s for s in self.updated if s == source],
            unchanged=[s for s in self.unchanged if s == source],
            failed=[f for f in self.failed if f.source == source],
            warnings=[w for w in self.warnings if w.source == source],
        )
        if (mine.added or mine.updated) and record is not None:
            mine.chunks_added = record.chunks
        return mine

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def summary(self) -> str:
        """One line such as '3 added, 1 updated, 0 removed, 5 unchanged, 1 failed (42 chunks)'."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed "
            f"({self.chunks_added} chunks embedded)"
        )


@dataclass(frozen=True)
class IndexedFile:
    """One document in the index, as listed by `RAG.documents()`."""

    source: str
    chunks: int
    indexed_at: float
    metadata: dict = field(default_factory=dict)  # a given text's (a LlamaIndex Document's)


@dataclass(frozen=True)
class Status:
    """What `rag status` shows."""

    index: str  # the folder, or the Chroma server and collection
    documents: int
    chunks: int
    model: str
    size_bytes: int
    # Indexed documents per format (file suffix), e.g. {".md": 3, ".pdf": 1}.
    formats: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class User:
    """An account: `role` is "reader" (asks), "editor" (also adds and removes documents) or
    "admin" (also manages users)."""

    name: str
    role: str
    created: float = 0.0


@dataclass(frozen=True)
class ChatTurn:
    """One question and its answer in a stored conversation. `hashes` are the cited files'
    SHA-256 when answered (a citation into a file changed since is flagged, not highlighted);
    `timings` are seconds per step; `rating` is 1 (up), -1 (down) or 0 (none)."""

    n: int
    question: str
    answer: Answer
    hashes: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    created: float = 0.0
    rating: int = 0
    comment: str = ""
    correction: str = ""  # the sentence that does answer, from a rater


@dataclass(frozen=True)
class Conversation:
    """A stored conversation of `owner` ("user:NAME", or "browser:ID" without accounts); its
    title is the first question until renamed. `turns` is empty in a listing."""

    id: str
    owner: str
    title: str
    created: float
    updated: float
    turns: list[ChatTurn] = field(default_factory=list)
    turn_count: int = 0
