"""The public API: `RAG` ties the pipeline together; `ingest`, `query` and `search` are one-call
shortcuts. The CLI and the UI use only what this module exposes."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .answer.extractive import compose
from .answer.followup import Turn, standalone_question, user_turns
from .answer.generate import generate, rewrite_question
from .answer.llm import ChatModel, chat_model
from .answer.not_found import CLOSEST_SHOWN, not_found
from .answer.retrieve import Retriever
from .answer.summary import asked_section, asks_for_summary, summarise
from .errors import InvalidInput, LLMError, LoadError, RagError, SettingsError
from .index.embed import ChosenByLanguage, Embedder, get_embedder
from .index.records import file_id
from .index.store import Store
from .ingestion import ocr
from .ingestion.discover import fingerprint, named_by
from .ingestion.documents import load
from .ingestion.formats import FORMATS, SUPPORTED_SUFFIXES
from .ingestion.given import given_texts
from .ingestion.sync import ProgressCallback, add_texts, resync, sync
from .ingestion.uploads import stage_upload
from .settings import AUTO_MODEL, DEFAULT_MODEL, AnswerMode, Settings
from .text.languages import detect, language_name
from .types import (
    Answer,
    Document,
    FileFailure,
    IndexedFile,
    IngestReport,
    Passage,
    Status,
    StreamEvent,
    Token,
)

PathLike = str | os.PathLike[str]


class RAG:
    """A question-answering session over one index folder.

    `index` defaults to `$RAG_INDEX_DIR`, else `./index`; keyword overrides set any `Settings`
    field (e.g. `RAG(chunk_size=500)`). `llm` is the chat model for generative answers (any
    `ChatModel`); without one it is built from the `llm_*` settings when first needed."""

    def __init__(
        self,
        index: PathLike | None = None,
        settings: Settings | None = None,
        llm: ChatModel | None = None,
        **overrides: object,
    ) -> None:
        if index is not None:
            overrides["index_dir"] = index
        overrides = {name: value for name, value in overrides.items() if value is not None}
        unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(Settings)})
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        self.settings = dataclasses.replace(settings or Settings.from_env(), **overrides)
        self._store: Store | None = None
        self._retriever: Retriever | None = None
        self._llm = llm
        self._chosen: ChosenByLanguage | None = None
        # The UI serves every browser session from one RAG: build its store and retriever once,
        # not once per thread (re-entrant: the retriever needs the store).
        self._opening = threading.RLock()

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._opening:
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self, rebuild: bool = False) -> Store:
        settings = self.settings
        return Store(
            settings.index_dir,
            settings.embed_model,
            rebuild=rebuild,
            server=settings.chroma_url,
            collection=settings.chroma_collection,
        )

    @property
    def retriever(self) -> Retriever:
        retriever = self._retriever
        if (
            retriever is None
            or retriever.store is not self.store
            or retriever.embedder is not self.embedder
        ):
            with self._opening:
                stale = self._retriever is not None and (
                    self._retriever.store is not self.store
                    or self._retriever.embedder is not self.embedder
                )
                if self._retriever is None or stale:
                    self._retriever = Retriever(self.store, self.embedder, self.settings)
                retriever = self._retriever
        return retriever

    @property
    def embedder(self) -> Embedder:
        """The embedding model: the configured one; under "auto" (the default) the model that
        wrote the index, and for a new index one its first documents' languages choose
        (`ChosenByLanguage`), so an index never meets vectors of another model."""
        settings = self._model_settings()
        if settings.embed_model != AUTO_MODEL:
            return get_embedder(settings)
        with self._opening:  # a new index: its first chunks choose (kept until it has them)
            if self._chosen is None or self._chosen.settings != settings:
                self._chosen = ChosenByLanguage(settings)
            return self._chosen

    def _model_settings(self) -> Settings:
        """The settings with "auto" resolved to the index's model, once it has one."""
        settings = self.settings
        if settings.embed_model == AUTO_MODEL:
            recorded = self.store.recorded_model
            if recorded:
                return dataclasses.replace(settings, embed_model=recorded)
            if settings.embed_url:  # a server serves one model: it is the index's
                return dataclasses.replace(settings, embed_model=DEFAULT_MODEL)
        return settings

    def ingest(
        self,
        paths: PathLike | Iterable[PathLike | object],
        progress: ProgressCallback | None = None,
        rebuild: bool = False,
    ) -> IngestReport:
        """Sync files and folders into the index (add, update, remove, skip unchanged). LlamaIndex
        `Document`s (from any LlamaHub reader) may be given too, their metadata kept: one naming
        a `file_path` rag reads is that file, synced like it; the others' text is indexed under
        their `file_path` (a reader's pages of one file as one document) or their `doc_id`."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        items = list(paths)
        files = [p for p in items if isinstance(p, (str, os.PathLike))]
        given = [p for p in items if not isinstance(p, (str, os.PathLike))]
        if rebuild:
            self._chosen = None  # a rebuilt index chooses its model again
            self._store = self._open_store(rebuild=True)
            with self.store.writing(self.settings.lock_timeout_s, rebuild=True):
                pass  # emptied once the lock is held
        texts, described = [], {}
        if given:
            texts = given_texts(given)
            # A Document naming a file rag reads is that file, read by rag: its citations are
            # then exact spans of the file (a reader's own text differs: joined pages, other
            # PDF extraction), and a later sync of its folder finds it unchanged.
            described = {t.key: t for t in texts if _readable(t.key)}
            files += [t.source for t in described.values()]
            texts = [t for t in texts if t.key not in described]
        report = IngestReport()
        if files or not texts:
            report = sync(files, self.store, self.embedder, self.settings, progress)
        if described:
            with self.store.writing(self.settings.lock_timeout_s):
                self.store.set_metadata({key: t.metadata for key, t in described.items()})
        if texts:
            added = add_texts(texts, self.store, self.embedder, self.settings, progress)
            report = report + added
        self.retriever.snapshot()  # bring the search snapshot in step now, not at the first query
        return report

    def resync(self, progress: ProgressCallback | None = None) -> IngestReport:
        """Re-check every indexed file: re-index the changed, drop the deleted."""
        report = resync(self.store, self.embedder, self.settings, progress)
        self.retriever.snapshot()
        return report

    def remove(self, source: str) -> bool:
        """Remove one document (its `source` as listed by `documents()`); False if not indexed."""
        with self.store.writing(self.settings.lock_timeout_s):
            keys = [k for k, r in self.store.files.items() if source in (r.source, k)]
            self.store.remove_files(keys)
        self.retriever.snapshot()
        return bool(keys)

    def add_upload(self, filename: str, content: PathLike) -> IngestReport:
        """Copy an uploaded file (its client-side `filename`, its bytes at `content`) into the
        upload folder under a sanitised name, and index it. Refuses empty, oversized and
        unsupported files (RagError) before anything is written."""
        return self.ingest([self._stage_upload(filename, content)])

    def add_uploads(
        self,
        uploads: Iterable[tuple[str, PathLike]],
        progress: ProgressCallback | None = None,
    ) -> list[IngestReport]:
        """`add_upload` for several files (client-side name, bytes at path) in one ingest, so the
        search snapshot is rebuilt once, not once a file (4-9 s each at 100k chunks). Returns one
        report per upload, in order; a refused upload's report lists why under `failed` and the
        others are still indexed. Uploads that share a name are all copied; the last one wins."""
        staged: list[Path | FileFailure] = []
        for filename, content in uploads:
            try:
                staged.append(self._stage_upload(filename, content))
            except RagError as exc:
                staged.append(FileFailure(filename, str(exc)))
        targets = [t for t in staged if isinstance(t, Path)]
        done = self.ingest(targets, progress) if targets else IngestReport()
        return [
            IngestReport(failed=[target])
            if isinstance(target, FileFailure)
            else done.about(str(target), self.store.files.get(str(target.resolve())))
            for target in staged
        ]

    def _stage_upload(self, filename: str, content: PathLike) -> Path:
        settings = self.settings
        return stage_upload(
            filename, content, settings.upload_dir, settings.max_upload_mb, tuple(FORMATS)
        )

    def warm_up(self) -> None:
        """Load the model, the search snapshot and Chroma's vector index now, and have the OS
        cache the snapshot's files, so the first question costs what every later one does
        (servers call this at start). At 100k chunks whose pages the OS had not cached, the
        first question took ~250 ms instead of ~15 without any of this, 66-180 ms with the
        snapshot left to be read from disk by the question itself."""
        if self.store.count():
            # Only then: a new index's model is chosen by its first documents' languages.
            self.embedder.embed(["warm up"])
            self.retriever.search("warm up", k=1)
            self.retriever.snapshot().read_ahead()

    def search(
        self, query: str, k: int = 10, sources: Sequence[PathLike] | None = None
    ) -> list[Passage]:
        """The `k` passages most relevant to `query`, best first (retrieval only); only from
        the documents `sources` names, if given (see `query`)."""
        scope = self.scope(sources)
        return self.retriever.search(_check_question(query), _check_k(k), scope=scope)

    def scope(self, sources: Sequence[PathLike] | None) -> frozenset[str] | None:
        """The manifest keys of the indexed files that `sources` names: file paths, folders (every
        file below) or glob patterns (`*.pdf`, `reports/2024-*`), each matched against the path
        as given at ingest and the absolute path. None for no scope; InvalidInput when it names
        none of the indexed files, so a typo is an error rather than an empty answer."""
        if sources is None:
            return None
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        self.store.refresh()
        files = self.store.files
        keys = frozenset(
            key for key, record in files.items() if named_by(key, record.source, sources)
        )
        if not keys:
            shown = ", ".join(map(str, sources)) or "(nothing)"
            raise InvalidInput(
                f"no indexed document matches the scope {shown}: give indexed file paths, "
                "folders or glob patterns (`rag status` lists the documents)"
            )
        return keys

    def query(
        self,
        question: str,
        history: Sequence[Turn] = (),
        k: int | None = None,
        mode: AnswerMode | None = None,
        sources: Sequence[PathLike] | None = None,
    ) -> Answer:
        """Answer `question` from the documents with cited passages; `history` holds earlier turns
        (strings or {"role", "content"} messages) so follow-ups such as "and them?" work.
        `mode` is "extractive" (quotes) or "generative" (a model writes, every sentence is
        verified); default: the `answer_mode` setting. `sources` limits the answer to some
        documents: file paths, folders or glob patterns (see `scope`)."""
        *_, answer = self.query_stream(question, history, k, mode, sources)
        return answer

    def query_stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        k: int | None = None,
        mode: AnswerMode | None = None,
        sources: Sequence[PathLike] | None = None,
    ) -> Iterator[StreamEvent]:
        """Like `query`, streamed: `Token`s as text is produced, then the final `Answer`.
        In generative mode the tokens are the model's raw text; the Answer is verified."""
        question = _check_question(question)
        scope = self.scope(sources)
        k = _check_k(k if k is not None else self.settings.top_k)
        mode = mode or self.settings.answer_mode
        if mode not in ("extractive", "generative"):
            raise InvalidInput(f"mode must be 'extractive' or 'generative', not {mode!r}")
        generative = mode == "generative"
        searched = standalone_question(question, history)
        if generative and searched != question:
            try:
                searched = rewrite_question(question, user_turns(history), self.llm)
            except LLMError:
                pass  # keep the rewrite made without a model
        # Here, not only inside search, so the answer is composed for (and shows) what was
        # searched.
        searched = self.retriever.expand_acronyms(searched)
        passages = self.retriever.search(searched, k, spelled_out=True, scope=scope)
        topic = asked_section(searched) if passages and not generative else None
        section = self.retriever.section_named(passages[0], topic) if topic else None
        if section is not None:
            chunks, span = section
            summary = summarise(
                question, chunks, self.embedder, self.retriever.sentence_vectors, span=span
            )
            if summary.found:
                yield Token(summary.text)
                yield dataclasses.replace(summary, searched=searched)
                return
        if passages and asks_for_summary(searched) and not generative:
            summary = summarise(
                question,
                self.retriever.whole_document(passages[0]),
                self.embedder,
                self.retriever.sentence_vectors,
            )
            yield Token(summary.text)
            yield dataclasses.replace(summary, searched=searched)
            return
        extractive = compose(
            question,
            searched,
            passages,
            self.embedder,
            self.settings,
            self.retriever.sentence_vectors,
            self.retriever.keyword_overlap(searched),
            self.retriever.rescaler(searched),
        )
        # Asked about what the documents cover, but by a name none of them mentions: a near miss
        # ("How high is the tide at the Bay of Fundy?" over a chapter on tides).
        unmentioned = (
            self.retriever.unmentioned_names(searched, passages) if extractive.found else []
        )
        if unmentioned:
            closest = passages[:CLOSEST_SHOWN]
            extractive = not_found(question, searched, closest, unmentioned=unmentioned)
        if not extractive.found:
            extractive = self._across_languages(searched, extractive)
        if not generative:
            yield Token(extractive.text)
            yield extractive
            return
        yield from generate(
            question, searched, passages, self.llm, self.embedder, self.settings, extractive
        )

    def _across_languages(self, searched: str, answer: Answer) -> Answer:
        """`answer` (not found) with a notice when the question is in another language than the
        passages closest to it: rag matches questions across languages less surely than within
        one, so the same question in the documents' language may find what this did not."""
        apart = self.retriever.language_apart(searched, answer.closest)
        if apart is None:
            return answer
        asked, written = language_name(detect(searched)), language_name(apart)
        notice = (
            f"your question reads as {asked} and the closest passages are in {written}; "
            f"questions are matched less surely across languages, so asking in {written} "
            "may find what this did not"
        )
        return dataclasses.replace(answer, notice=notice)

    @property
    def llm(self) -> ChatModel:
        """The chat model for generative answers: the one given, else the configured one
        (started on first use for a local GGUF)."""
        if self._llm is None:
            with self._opening:
                if self._llm is None:
                    self._llm = chat_model(self.settings)
        return self._llm

    @property
    def generative_available(self) -> bool:
        """Whether generative answers can be asked for: a chat model is given or configured."""
        return self._llm is not None or bool(self.settings.llm_url or self.settings.llm_gguf)

    def documents(self) -> list[IndexedFile]:
        """Every indexed file, by source."""
        self.store.refresh()
        records = sorted(self.store.files.values(), key=lambda r: r.source)
        return [IndexedFile(r.source, r.chunks, r.indexed_at, r.metadata) for r in records]

    def file_id(self, source: str) -> str | None:
        """The id that links to the indexed document `source` (as citations name it), for
        `indexed_file`; None if it is not indexed."""
        self.store.refresh()
        for key, record in self.store.files.items():
            if record.source == source:
                return file_id(key)
        return None

    def indexed_file(self, document_id: str) -> Path:
        """The file on disk of the indexed document with id `document_id` (from `file_id`),
        as it was indexed. Only indexed files are ever returned, and the id is a hash, never a
        path: a link cannot name any other file. InvalidInput if no indexed document has that id;
        LoadError if the file is gone or changed since (its citations' offsets would be wrong)."""
        self.store.refresh()
        for key, record in self.store.files.items():
            if file_id(key) == document_id:
                path = Path(key)
                try:
                    changed = fingerprint(path)[1] != record.sha256
                except OSError:
                    raise LoadError(f"{record.source} is gone since it was indexed") from None
                if changed:
                    raise LoadError(
                        f"{record.source} changed since it was indexed: sync it again "
                        "(`rag ingest` or Re-sync) to open it at its passages"
                    )
                return path
        raise InvalidInput(f"no indexed document has the id {document_id!r}")

    def indexed_text(self, document_id: str) -> Document:
        """The extracted text of the indexed document with id `document_id`: the text its
        citations' offsets index (read as ingest read it)."""
        path = self.indexed_file(document_id)
        with ocr.reading(self.settings.ocr):
            return load(path, str(path), int(self.settings.max_file_mb * 1e6))

    def status(self) -> Status:
        """Counts and sizes for `rag status` and the UI."""
        self.store.refresh()
        files = self.store.files.values()
        return Status(
            index=self.store.location,
            documents=len(self.store.files),
            chunks=self.store.count(),
            model=self._model_settings().embed_model,
            size_bytes=self.store.size_bytes(),
            formats=dict(sorted(Counter(_suffix(r.source) for r in files).items())),
        )


def _readable(key: str) -> bool:
    path = Path(key)
    return path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file()


def _suffix(source: str) -> str:
    return Path(source).suffix.lower() or "(none)"


def _check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InvalidInput("question is empty: ask something about your documents")
    return question.strip()


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k must be a whole number of at least 1 (got {k!r})")
    return k
