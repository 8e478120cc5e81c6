"""Paths given to a sync to the files it may read: regular files of a supported format, reached
through symlinks only where a link stays inside the folders being synced, each named safely.

A folder on disk is untrusted input: a named pipe or a link to /dev/zero blocks whoever opens it,
and a link to ~/.ssh/id_rsa would make a private file answerable. So every entry is inspected
with lstat/stat before anything opens it, and `open_regular` checks again once it is open."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import LoadError
from ..types import FileFailure
from .documents import check_size
from .formats import FORMATS


@dataclass(frozen=True)
class Target:
    """A file to sync. `key` identifies it however the user spelled the path (the resolved path;
    exact, even for names that are not UTF-8); `source` is the path as the user gave it, joined
    with the file's place in a given folder, made printable."""

    key: str
    path: Path
    source: str


@dataclass
class Found:
    """What `collect` found: the files to sync, every path given (as keys), and what it left out
    (unsupported types, pipes, devices, links leading outside) or could not find."""

    targets: list[Target]
    roots: list[str]
    skipped: list[FileFailure]
    missing: list[FileFailure]


def display_name(path: str | os.PathLike[str]) -> str:
    """`path` as text that can be printed, stored and sent anywhere: a name that is not valid
    UTF-8 (old archives, USB sticks) shows its undecodable bytes as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def collect(
    paths: Iterable[str | os.PathLike[str]], known: set[str], follow_links: bool = False
) -> Found:
    """Expand folders into the files below them that a sync may read. A given path that does not
    exist is reported missing unless it is a `known` key (a known file that vanished is removed,
    not an error)."""
    given = [Path(p) for p in paths]
    found = Found([], [str(p.resolve()) for p in given], [], [])
    folders = [key for path, key in zip(given, found.roots, strict=True) if path.is_dir()]
    targets: dict[str, Target] = {}
    for path, key in zip(given, found.roots, strict=True):
        if path.is_dir():
            for file in _walk(path):
                source = display_name(file)
                if file.suffix.lower() not in FORMATS:
                    reason = f"unsupported file type {display_name(file.suffix) or '(none)'!r}"
                    found.skipped.append(FileFailure(source, reason))
                    continue
                file_key, reason = _admit(file, folders, follow_links)
                if reason:
                    found.skipped.append(FileFailure(source, reason))
                elif file_key not in targets or targets[file_key].path.is_symlink():
                    # Reached twice: indexed once, named as the file itself, not as a link.
                    targets[file_key] = Target(file_key, file, source)
        elif path.is_file():  # named by the user: followed wherever it links
            targets.setdefault(key, Target(key, path, display_name(path)))
        elif not os.path.lexists(path):
            if key not in known:
                found.missing.append(FileFailure(display_name(path), "no such file or folder"))
        else:
            reason = "not a regular file or folder (a pipe, device, socket or broken link)"
            found.missing.append(FileFailure(display_name(path), reason))
    found.targets = sorted(targets.values(), key=lambda t: t.source)
    return found


def _walk(folder: Path) -> Iterator[Path]:
    """Entries below `folder` that are not folders, in a stable order, skipping hidden ones.
    Symlinked folders are not followed, so a link loop cannot trap the walk."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _admit(file: Path, folders: list[str], follow_links: bool) -> tuple[str, str]:
    """(key, "") for a file a sync may read, else ("", why not). A link that stays inside one of
    `folders` is keyed by its target, so a file reached twice is indexed once; one followed
    outside them (`follow_links`) by its own place, so deleting the link removes the file."""
    try:
        info = os.lstat(file)
        if stat.S_ISLNK(info.st_mode):
            target = file.resolve()
            inside = _inside(str(target), folders)
            if not inside and not follow_links:
                return "", (
                    f"a link to {display_name(target)}, outside the folders being synced: not "
                    "followed (--follow-links or RAG_FOLLOW_LINKS=1 follows it)"
                )
            info = os.stat(file)
            key = str(target) if inside else str(Path(os.path.realpath(file.parent), file.name))
        else:
            key = str(file.resolve())
    except FileNotFoundError:
        return "", "a broken link, or gone before it could be read"
    except OSError as exc:
        return "", f"cannot be inspected ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "", f"not a regular file ({_kind(info.st_mode)}): never opened"
    return key, ""


def _inside(path: str, folders: list[str]) -> bool:
    return any(
        path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders
    )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, if it is a regular file. Checked before opening (opening a
    device can have effects of its own) and again once open, as what a path names can change in
    between; O_NONBLOCK keeps a pipe swapped in meanwhile from blocking the open."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise LoadError(f"not a regular file ({_kind(info.st_mode)}): never opened")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise LoadError(f"not a regular file ({_kind(mode)}): never opened")
    return os.fdopen(fd, "rb")


def fingerprint(path: Path, max_bytes: int | None = None) -> tuple[int, str]:
    """(size, SHA-256) of a regular file, refused (LoadError) before a byte of it is read when
    it is not one or is over `max_bytes`."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if max_bytes is not None:
            check_size(size, max_bytes)
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return size, digest.hexdigest()


def named_by(key: str, source: str, patterns: Sequence[str | os.PathLike[str]]) -> bool:
    """Whether the file with manifest `key` (its absolute path) and `source` (its path as given)
    is one that `patterns` name: the file itself, a folder above it, or a matching glob."""
    for pattern in map(str, patterns):
        if not pattern.strip():
            continue
        absolute = os.path.abspath(os.path.expanduser(pattern))
        for name, wanted in ((source, pattern.rstrip(os.sep)), (key, absolute)):
            if (
                name == wanted
                or name.startswith(wanted + os.sep)
                or fnmatch.fnmatchcase(name, wanted)
            ):
                return True
    return False
