"""Opening Chroma: the embedded database in a folder, or a server by URL, with messages that
say what to do when neither can be used."""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path
from urllib.parse import urlparse

from ..errors import StoreError

# Chroma keeps one shared system per path in a process-wide cache that is not thread-safe: two
# threads opening the same folder at once fail with KeyError or a half-built client.
CHROMA_OPEN = threading.Lock()


def remove_chroma_files(index_dir: Path) -> None:
    """Delete what Chroma keeps in `index_dir` (its SQLite file and segment folders, named by
    UUID) and our derived files; nothing else in the folder is touched."""
    for path in index_dir.iterdir():
        is_segment = path.is_dir() and _is_uuid(path.name)
        if path.name.startswith("chroma.sqlite3") or is_segment:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
        return True
    except ValueError:
        return False


def http_client(url: str, settings):  # -> chromadb HttpClient
    """A client for the Chroma server at `url` (http://host:port), checked with a heartbeat so a
    wrong address fails here with a clear message, not at the first query."""
    import chromadb

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(
            f"RAG_CHROMA_URL={url!r} is not a server address; give one like http://127.0.0.1:8000"
        )
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
        client.heartbeat()
    except Exception as exc:  # connection errors surface as several types
        raise unreachable(url, exc) from None
    return client


def unreachable(url: str, exc: Exception) -> StoreError:
    return StoreError(
        f"cannot reach the Chroma server at {url} ({type(exc).__name__}: {exc}); start it with "
        "`chroma run --path DIR --host 127.0.0.1 --port PORT`, or unset RAG_CHROMA_URL to use "
        "the local index folder"
    )
