"""Where the manifest (which files are indexed, with which hashes) is kept.

Embedded mode keeps it as `manifest.json` beside Chroma's files. Server mode keeps it inside the
Chroma server, so every process sharing that server sees the same files and the same generation
(and rebuilds its search snapshot when the generation moves). Both write the whole manifest in one
atomic step: a reader sees the old one or the new one, never half."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from .files import atomic_write

MANIFEST = "manifest.json"
_RECORD = "manifest"


class ManifestBackend(Protocol):
    def stamp(self) -> object | None:
        """A cheap token that changes whenever the manifest does; None when there is none."""

    def read(self) -> str | None:
        """The manifest's JSON text, or None when there is none."""

    def write(self, text: str, generation: str) -> None:
        """Replace the manifest atomically."""

    def describe(self) -> str:
        """Where it lives, for error messages."""


class ManifestFile:
    """`manifest.json` in the index folder, replaced with os.replace; the stamp is its inode and
    mtime (each replace makes a new inode, so even two writes within one clock tick differ)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / MANIFEST

    def stamp(self) -> object | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, text: str, generation: str) -> None:
        atomic_write(self.path, text)

    def describe(self) -> str:
        return str(self.path)


class ManifestInChroma:
    """One record of a small companion collection on the Chroma server: the JSON as its document
    and the generation in its metadata, so checking for a change is one small request."""

    def __init__(self, client, collection: str) -> None:
        self.name = f"{collection}-manifest"
        # Chroma stores a vector with every record; this collection's records carry a dummy one.
        self._collection = client.get_or_create_collection(self.name, embedding_function=None)

    def stamp(self) -> object | None:
        got = self._collection.get(ids=[_RECORD], include=["metadatas"])
        return got["metadatas"][0]["generation"] if got["ids"] else None

    def read(self) -> str | None:
        got = self._collection.get(ids=[_RECORD], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def write(self, text: str, generation: str) -> None:
        self._collection.upsert(
            ids=[_RECORD],
            documents=[text],
            metadatas=[{"generation": generation}],
            embeddings=[[1.0]],
        )

    def describe(self) -> str:
        return f"the manifest collection {self.name!r}"
