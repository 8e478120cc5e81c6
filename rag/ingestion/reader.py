"""Files to chunks in a child process, so that no one file can hang, crash or flood a sync.

Parsers are large libraries fed untrusted bytes: a pathological file can keep one busy for
minutes, and they print warnings on the terminal. A sync hands its files, one at a time, to a
child Python process (kept for the next sync), waits at most the per-file time budget for each,
and kills and replaces the child when a file overruns it; the warnings a file raised come back
with its result instead of being printed over the progress bar. Parsing there also runs beside
the embedding model on another core instead of sharing its interpreter lock."""

from __future__ import annotations

import atexit
import logging
import math
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import LoadError
from ..types import Chunk
from .formats import format_of

_HEADER = struct.Struct("!Q")
# A cold child imports the parsers first (~0.5 s here); generous for a loaded machine.
_START_TIMEOUT_S = 120.0
_MAX_WARNINGS = 5  # per file: a corrupt PDF can log one line per object


@dataclass(frozen=True)
class Parsed:
    """A file's chunks and the warnings its parser raised (library log lines and warnings)."""

    chunks: list[Chunk]
    warnings: list[str] = field(default_factory=list)


class Reader:
    """Loads and chunks files in a child process with a time budget per file. One per sync (not
    thread-safe); `close` returns its child to the pool for the next one."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._child: subprocess.Popen | None = None

    def read(
        self,
        path: Path,
        source: str,
        max_bytes: int,
        size: int,
        overlap: int,
        ocr: bool = False,
        on_page: Callable[[int], None] | None = None,
    ) -> Parsed:
        """`path` loaded (scans read by OCR if `ocr`) and cut into chunks of `size` characters
        with `overlap`; LoadError with a reason when the file is refused, overruns the budget or
        crashes its reader. Each page read by OCR renews the budget (it is per page there) and
        is reported to `on_page` with its count."""
        # The format travels with the request, so formats registered at run time work in the
        # child too (its `read` must be a module-level function, which pickles by name).
        request = (os.fsencode(path), source, max_bytes, size, overlap, format_of(path), ocr)
        try:
            message = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise LoadError(
                f"the reader of its format cannot run in the reading process ({exc}); "
                "register a module-level function as the format's `read`"
            ) from None
        child = self._child = self._child or _lease()
        try:
            _send(child.stdin, message)
            pages = 0
            while (reply := _receive(child.stdout, time.monotonic() + self.timeout_s)) == ("page",):
                pages += 1  # a page read by OCR: the budget starts again
                if on_page is not None:
                    on_page(pages)
        except TimeoutError:
            self._discard()
            raise LoadError(
                f"reading it took over {self.timeout_s:g} s, the limit per file "
                "(raise RAG_FILE_TIMEOUT_S to index it)"
            ) from None
        except (EOFError, OSError):
            code = self._discard()
            raise LoadError(f"its reader crashed ({_describe_exit(code)})") from None
        status, value, raised = reply
        if status == "failed":
            detail = f" ({'; '.join(raised)})" if raised else ""
            raise LoadError(f"{value}{detail}")
        return Parsed(value, raised)

    def close(self) -> None:
        if self._child is not None:
            _release(self._child)
            self._child = None

    def _discard(self) -> int | None:
        child, self._child = self._child, None
        if child is None:
            return None
        child.kill()
        return child.wait()


_idle: list[subprocess.Popen] = []
_pool_lock = threading.Lock()


def _lease() -> subprocess.Popen:
    with _pool_lock:
        while _idle:
            child = _idle.pop()
            if child.poll() is None:
                return child
    return _start()


def _release(child: subprocess.Popen) -> None:
    with _pool_lock:
        if child.poll() is None:
            _idle.append(child)


@atexit.register
def _stop_idle() -> None:
    with _pool_lock:
        for child in _idle:
            child.kill()
            child.wait()
        _idle.clear()


def _start() -> subprocess.Popen:
    """A new child, once it has imported the parsers and said it is ready."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-m", "rag.ingestion.reader"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        bufsize=0,
    )
    try:
        _receive(child.stdout, time.monotonic() + _START_TIMEOUT_S)
    except (TimeoutError, EOFError, OSError):
        child.kill()
        code = child.wait()
        raise LoadError(f"could not start the file reader ({_describe_exit(code)})") from None
    return child


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _send(stream: BinaryIO, message: object) -> None:
    """Write `message` (an object, or bytes already pickled) to `stream`."""
    data = message if isinstance(message, bytes) else pickle.dumps(message, protocol=5)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO, deadline: float | None = None) -> object:
    """The next message on `stream`; TimeoutError past `deadline`, EOFError if it closed."""
    header = _read_exactly(stream, _HEADER.size, deadline)
    return pickle.loads(_read_exactly(stream, _HEADER.unpack(header)[0], deadline))


def _ready(fd: int, timeout: float) -> bool:
    """Whether `fd` has data (or end of file) within `timeout` seconds. poll, not select:
    select refuses descriptors above 1023, which a long-running process (the UI, a test
    session) reaches ("filedescriptor out of range in select()" failed every file in CI)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(1, math.ceil(timeout * 1000))))


def _read_exactly(stream: BinaryIO, size: int, deadline: float | None) -> bytes:
    fd = stream.fileno()
    parts: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not _ready(fd, remaining):
                raise TimeoutError
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


class _Collect(logging.Handler):
    """Keeps the log lines of the file being read, to return them with its result."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name.split('.')[0]}: {record.getMessage()}")


def _parse(
    request: tuple, collect: _Collect, page_done: Callable[[], None]
) -> tuple[str, object, list[str]]:
    from ..text.chunking import chunk_document
    from . import ocr as ocr_pages
    from .documents import load

    path, source, max_bytes, size, overlap, file_format, ocr = request
    collect.lines.clear()
    with warnings.catch_warnings(record=True) as caught, ocr_pages.reading(ocr, page_done):
        warnings.simplefilter("always")
        try:
            document = load(Path(os.fsdecode(path)), source, max_bytes, file_format)
            result: tuple[str, object] = ("ok", chunk_document(document, size, overlap))
        except LoadError as exc:
            result = ("failed", str(exc))
        except MemoryError:
            result = ("failed", "ran out of memory while reading it")
        except RecursionError:
            result = ("failed", "nested too deeply to read")
        except Exception as exc:  # a parser's own bug on odd input: this file's failure only
            result = ("failed", f"could not be read ({type(exc).__name__}: {exc})")
    raised = collect.lines + [f"{w.category.__name__}: {w.message}" for w in caught]
    return (*result, list(dict.fromkeys(raised))[:_MAX_WARNINGS])


def _serve() -> None:
    """The child: answer requests on stdin until it closes. Its stdout carries only replies;
    anything a library prints goes to /dev/null."""
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    collect = _Collect()
    root = logging.getLogger()
    root.handlers[:] = [collect]
    root.setLevel(logging.WARNING)
    from ..text import chunking  # noqa: F401  (imported before "ready": not timed per file)
    from ..text.languages import detect
    from . import documents  # noqa: F401

    # The language identifier loads its model at first use (0.85 s here): before "ready", so
    # that no file's time budget pays for it (a 1 s budget refused a one-line file).
    detect("The reader is ready to read.")

    _send(replies, ("ready",))
    requests = sys.stdin.buffer
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        _send(replies, _parse(request, collect, lambda: _send(replies, ("page",))))


if __name__ == "__main__":
    _serve()
