"""Incremental sync of files into the index: add new files, re-index changed ones (by content
hash, or when the rules that chunk them changed), remove deleted ones, and leave unchanged ones
alone. Safe to re-run; never duplicates."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LoadError
from ..index.embed import Embedder
from ..index.records import FileRecord
from ..index.store import Store
from ..settings import Settings
from ..text.chunking import chunk_document
from ..text.markup import VIEW_VERSION
from ..types import Chunk, Document, FileFailure, GivenText, IngestReport
from .discover import Target, collect, fingerprint
from .formats import format_of
from .reader import Reader

# Called with (0, files in total, "") at the start, then with (files done, files in total, the
# file's source) as each file is stored, found unchanged, or fails.
ProgressCallback = Callable[[int, int, str], None]
# Files are embedded and stored in batches of about this many chunks: big enough to keep the
# encoder busy and the manifest writes few, small enough to bound memory on large folders.
_BATCH_CHUNKS = 512
# Files read ahead of the one being embedded (see `_read_ahead`): enough to parse a few PDFs
# while a batch encodes, few enough that read-ahead adds little memory (each file is bounded by
# max_file_mb and max_chunks_per_file).
_READ_AHEAD = 8
# Bump when text/chunking.py changes the chunks a text yields (a loader's own changes bump its
# format's version in formats/__init__.py), so that files indexed under the old rules are indexed
# again by the next sync instead of being kept as they were. 2: dotted initialisms ("E.O.") end no
# sentence. 3: nor do abbreviations opening a markdown link ("[H.R. 664](...)"). 4: a
# reStructuredText underline ends its heading's block. 5: "words" over documents.MAX_WORD_CHARS are
# left out of the text. 6: footnote numbers glued to a full stop end their sentence, and a short
# line runs on into a next line that starts in lower case, or when it ends on "of", "the" ...
# 7: sentences end before a capital of any script or a caseless letter (Arabic, Devanagari,
# Chinese), and at 。！？।؟۔. 8: a line ending in ";" or ":" runs on into a next line in lower
# case, and the number opening a list item or a section ("2. ACCOMMODATION") ends no sentence.
# 9: in languages that write ordinals with a full stop ("im 19. Jahrhundert"), neither does one;
# nor German and Spanish abbreviations ("Mio.", "EE. UU."), nor Devanagari initials ("एस.").
# 10: footnote numbers glued to an acronym's or a year's full stop end their sentence too.
# 11: a question in bold ends its sentence ("**Can I ...?** No."), and one may open in bold.
# 12: a line opening on a date and a time (a chat's message, a log's entry) ends the line before
# it, and a short one is one sentence.
TEXT_RULES_VERSION = 12
# The recipe of a text handed to `add_texts` starts so: a resync has no file to read it from.
GIVEN_RECIPE = "given"


def sync(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Bring the index in step with `paths` (files and folders) and report what changed. The
    index's write lock is held only while chunks are written or removed, never while a file is
    read or embedded, so one slow file does not hold up other writers."""
    report = IngestReport()
    store.refresh(strict=False)
    found = collect(paths, set(store.files), settings.follow_links)
    report.skipped += found.skipped
    report.failed += found.missing
    with store.writing(settings.lock_timeout_s):
        repaired = _repair(store, report)
        # A walk lists every indexed-kind file under a given path, so an indexed file under one
        # that the walk did not list was deleted (or renamed, hidden, or made unsupported) since.
        seen = {t.key for t in found.targets}
        gone = [
            key
            for key, record in store.files.items()
            if key not in seen
            and any(key == root or key.startswith(root + os.sep) for root in found.roots)
            # a text handed in for a file rag cannot read is not listed, but is not gone
            and not (record.recipe.startswith(GIVEN_RECIPE) and Path(key).exists())
        ]
        report.removed += [store.files[key].source for key in gone]
        store.remove_files(gone)
    targets = sorted({t.key: t for t in repaired + found.targets}.values(), key=lambda t: t.source)
    return _index(targets, store, embedder, settings, report, progress)


def _index(
    targets: list[Target],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    report: IngestReport,
    progress: ProgressCallback | None,
) -> IngestReport:
    """Load, embed and store the new or changed files among `targets`, in batches. A file counts
    as done for `progress` once it is stored (or found unchanged, or failed), not when read:
    embedding is most of the time, so counting reads would reach 100% before the work."""
    batch: list[_Loaded] = []
    waiting: list[Target] = []  # read, in order, until the batch holding them is stored
    done = 0

    def finish() -> None:
        nonlocal done
        for target in waiting:
            done += 1
            if progress:
                progress(done, len(targets), target.source)
        waiting.clear()

    def ocr_page(source: str, pages: int) -> None:
        if progress:  # a long scan shows its pages: OCR takes seconds each
            progress(done, len(targets), f"{source} · OCR page {pages}")

    if progress and targets:
        progress(0, len(targets), "")
    timeout = settings.lock_timeout_s
    # Closed on the way out even when a write fails, so the reading thread stops at once.
    with (
        _older_objects_frozen(),
        contextlib.closing(Reader(settings.file_timeout_s)) as reader,
        contextlib.closing(
            _read_ahead(targets, store, settings, report, reader, ocr_page)
        ) as reads,
    ):
        for target, loaded in reads:
            waiting.append(target)
            if loaded is not None:
                batch.append(loaded)
            if sum(len(b.chunks) for b in batch) >= _BATCH_CHUNKS:
                _write(batch, store, embedder, report, timeout)
                batch = []
            if not batch:  # everything read so far is stored
                finish()
        if batch:
            _write(batch, store, embedder, report, timeout)
        finish()
    return report


@contextlib.contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Keep Python's garbage collector from re-scanning, while files are indexed, the objects
    that existed before (a process with the model, Chroma and the UI loaded holds 500-600k):
    parsing and chunking allocate enough to set off full collections, each ~0.35 s with the
    GIL held, so the encoder waited too (4 of them, 1.4 s, in one ingest of bench/ingest.py's
    611 files). They are unfrozen afterwards, so garbage among them is still collected."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _read_ahead(
    targets: list[Target],
    store: Store,
    settings: Settings,
    report: IngestReport,
    reader: Reader,
    ocr_page: Callable[[str, int], None],
) -> Iterator[tuple[Target, _Loaded | None]]:
    """`_read` each target on a second thread, up to `_READ_AHEAD` files ahead of the caller, so
    that reading overlaps encoding (611 files of bench/ingest.py: ingest took 1.145x its
    encoding time without it, 1.02-1.08x with it, when parsing still shared this process; it
    now runs in the reader's child); the bound keeps a large folder from being loaded into
    memory at once. `ocr_page(source, pages)` hears of each page OCR reads."""
    results: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
    stopped = threading.Event()

    def work() -> None:
        try:
            for target in targets:
                if stopped.is_set():
                    return
                on_page = functools.partial(ocr_page, target.source)
                results.put((target, _read(target, store, settings, report, reader, on_page)))
        except BaseException as exc:  # handed to the caller's thread, raised there
            results.put(exc)
            return
        results.put(None)

    thread = threading.Thread(target=work, name="rag-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
        while thread.is_alive():  # unblock a pending put so the thread can see `stopped`
            with contextlib.suppress(queue.Empty):
                results.get(timeout=0.05)
        thread.join()


@dataclass(frozen=True)
class _Loaded:
    target: Target
    record: FileRecord
    chunks: list[Chunk]
    is_update: bool


def resync(
    store: Store, embedder: Embedder, settings: Settings, progress: ProgressCallback | None = None
) -> IngestReport:
    """Re-check every indexed file where it was found: re-index changed ones, drop deleted ones."""
    report = IngestReport()
    with store.writing(settings.lock_timeout_s):
        targets = _repair(store, report)
        # A text handed in has no file to read again: it stays, unless it was keyed by a file
        # that has since been deleted ("llama-index:<doc_id>" keys name none).
        given = {
            key for key, record in store.files.items() if record.recipe.startswith(GIVEN_RECIPE)
        }
        targets += [
            Target(key, Path(key), record.source)
            for key, record in store.files.items()
            if key not in given or Path(key).is_absolute()
        ]
        gone = [t for t in targets if not t.path.exists()]
        report.removed += [t.source for t in gone]
        store.remove_files([t.key for t in gone])
        targets = [t for t in targets if t.key not in given]
    kept = sorted((t for t in targets if t not in gone), key=lambda t: t.source)
    return _index(kept, store, embedder, settings, report, progress)


def add_texts(
    texts: list[GivenText],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Index texts handed in rather than read from files: each replaces what its key held,
    unless its text, metadata and the chunk rules are unchanged. They are chunked and embedded
    like a file's text; a resync keeps them, dropping only those keyed by a file since
    deleted."""
    report = IngestReport()
    store.refresh(strict=False)
    recipe = f"{GIVEN_RECIPE}-{_text_recipe(settings)}"
    batch: list[_Loaded] = []
    for done, given in enumerate(texts, start=1):
        content = json.dumps([given.text, given.metadata], sort_keys=True, default=str)
        digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
        previous = store.files.get(given.key)
        unchanged = previous and previous.sha256 == digest and previous.recipe == recipe
        document = Document(given.source, given.text, given.pages)
        chunks = (
            []
            if unchanged
            else chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        )
        if unchanged:
            report.unchanged.append(given.source)
        elif not chunks:
            report.failed.append(FileFailure(given.source, "the text given is empty"))
        else:
            size = len(given.text.encode("utf-8", "surrogatepass"))
            record = FileRecord(
                given.source, digest, size, len(chunks), time.time(), recipe, given.metadata
            )
            target = Target(given.key, Path(given.key), given.source)
            batch.append(_Loaded(target, record, chunks, previous is not None))
        if sum(len(b.chunks) for b in batch) >= _BATCH_CHUNKS or done == len(texts):
            if batch:
                _write(batch, store, embedder, report, settings.lock_timeout_s)
            batch = []
        if progress:
            progress(done, len(texts), given.source)
    return report


def _repair(store: Store, report: IngestReport) -> list[Target]:
    """Undo what an interrupted write left (`Store.repair`). Files whose chunks it found
    incomplete are returned to be indexed again where they still exist, else reported removed."""
    forgotten = store.repair()
    targets = [Target(key, Path(key), record.source) for key, record in forgotten.items()]
    report.removed += [t.source for t in targets if not t.path.exists()]
    return [t for t in targets if t.path.exists()]


def _read(
    target: Target,
    store: Store,
    settings: Settings,
    report: IngestReport,
    reader: Reader,
    on_page: Callable[[int], None] | None = None,
) -> _Loaded | None:
    """Load and chunk a new or changed file; None when it is unchanged or failed (reported).
    Whatever goes wrong with one file is that file's failure: the run goes on."""
    previous = store.files.get(target.key)
    max_bytes = int(settings.max_file_mb * 1e6)
    try:
        size, digest = fingerprint(target.path, max_bytes)
        recipe = _recipe(settings, target.path)
        if previous and previous.sha256 == digest and previous.recipe == recipe:
            report.unchanged.append(target.source)
            return None
        parsed = reader.read(
            target.path,
            target.source,
            max_bytes,
            settings.chunk_size,
            settings.chunk_overlap,
            ocr=settings.ocr,
            on_page=on_page,
        )
    except LoadError as exc:
        report.failed.append(FileFailure(target.source, str(exc)))
        return None
    except FileNotFoundError:
        report.failed.append(FileFailure(target.source, "file disappeared before it could be read"))
        return None
    except OSError as exc:
        report.failed.append(FileFailure(target.source, f"could not read file: {exc.strerror}"))
        return None
    except Exception as exc:  # whatever else one file does is that file's failure, not the run's
        reason = f"could not be read ({type(exc).__name__}: {exc})"
        report.failed.append(FileFailure(target.source, reason))
        return None
    if parsed.warnings:
        report.warnings.append(FileFailure(target.source, "; ".join(parsed.warnings)))
    chunks = parsed.chunks
    if len(chunks) > settings.max_chunks_per_file:
        report.failed.append(
            FileFailure(
                target.source,
                f"too much text: {len(chunks)} chunks, over the {settings.max_chunks_per_file} "
                "limit per file (raise RAG_MAX_CHUNKS_PER_FILE to index it)",
            )
        )
        return None
    metadata = previous.metadata if previous else {}  # a caller's metadata outlives re-reads
    record = FileRecord(target.source, digest, size, len(chunks), time.time(), recipe, metadata)
    return _Loaded(target, record, chunks, previous is not None)


def _write(
    batch: list[_Loaded], store: Store, embedder: Embedder, report: IngestReport, timeout: float
) -> None:
    """Embed a batch of files' chunks in one call (far faster than file by file for many small
    files), then take the write lock only to store them, with a single manifest write."""
    # Embedded first: a new index's first chunks choose its model (index/embed.py).
    vectors, sentences = embedder.embed_chunks(
        [chunk.text for item in batch for chunk in item.chunks]
    )
    store.check_embedder(embedder)
    offset = 0
    files = []
    for item in batch:
        rows = slice(offset, offset + len(item.chunks))
        files.append((item.target.key, item.record, item.chunks, vectors[rows], sentences[rows]))
        offset += len(item.chunks)
        (report.updated if item.is_update else report.added).append(item.target.source)
        report.chunks_added += len(item.chunks)
    with store.writing(timeout):
        store.replace_files(files)


def _recipe(settings: Settings, path: Path) -> str:
    """What a file's chunks depend on besides its bytes: the text rules, its loader's version, the
    chunk settings and, for formats OCR reads, whether it is on. A file recorded with another
    recipe is indexed again, so changing RAG_CHUNK_SIZE applies to every file at the next sync
    instead of only to files that change later; likewise a change to what the model reads
    (`markup.VIEW_VERSION`)."""
    file_format = format_of(path)
    loader = f"{path.suffix.lower().lstrip('.')}{file_format.version}"
    recipe = f"text{TEXT_RULES_VERSION}-{loader}-{_text_recipe(settings)}"
    return recipe + ("-ocr" if file_format.ocr and settings.ocr else "")


def _text_recipe(settings: Settings) -> str:
    return f"size{settings.chunk_size}-overlap{settings.chunk_overlap}-view{VIEW_VERSION}"
