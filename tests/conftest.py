"""Shared fixtures: real model, real Chroma, real files; nothing is mocked."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import rag  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RAG_SHARED_DIR", ROOT.parent / "shared"))
DOCS = SHARED / "docs"
SEEDS = ROOT / "seeds"
CHINA_QUESTION = "How does China view these deals?"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the shared test data must sit beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def seed_engine(tmp_path_factory: pytest.TempPathFactory) -> rag.RAG:
    """An index of the project's own seeds/, built once for the session (read-only use)."""
    engine = rag.RAG(index=tmp_path_factory.mktemp("seed-index"))
    # Ingested as "seeds" (relative, as a user types it) when run from the repository root.
    report = engine.ingest(["seeds" if Path.cwd() == ROOT else SEEDS])
    assert report.ok and report.added, report
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> rag.RAG:
    """A fresh, empty index for one test."""
    return rag.RAG(index=tmp_path / "index")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def copy_doc(name: str, folder: Path) -> Path:
    return Path(shutil.copy(DOCS / name, folder / name))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"{what} did not start:\n{output}")
            time.sleep(0.5)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free loopback port, for the session."""
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    # It logs every request: to a file, since an unread pipe would fill up and stall the server.
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("chroma")),
            "run",
            "--path",
            str(folder / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_for_port(port, process, f"chroma run (log: {folder / 'server.log'})")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, with the flags this machine's closed network needs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (Debian's, which `make test` installs) on a free loopback port,
    for the session, in a fresh cluster; yields a URL without a database name. Run as the
    `postgres` user when the tests run as root (the server refuses root)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is missing: install Debian's postgresql (`make test` does)")
    bin_dir = found[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="rag-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "rag"]
        + ["--auth=trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [*as_user, str(bin_dir / "postgres"), "-D", str(folder / "data"), "-p", str(port)]
        + ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_for_port(port, process, f"postgres (log: {folder / 'server.log'})")
    import psycopg

    deadline = time.monotonic() + 60
    while True:  # the port opens before the server takes connections
        try:
            psycopg.connect(f"postgresql://rag@127.0.0.1:{port}/postgres").close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    yield f"postgresql+psycopg://rag@127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)
    log.close()
    shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str) -> str:
    """A new, empty database on the PostgreSQL `server`: its SQLAlchemy URL."""
    import psycopg

    name = f"rag_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@contextlib.contextmanager
def ui_server(
    index: Path,
    upload_dir: Path | None = None,
    auth: str | None = None,
    args: tuple = (),
    port: int | None = None,
) -> Iterator[str]:
    """`rag ui` on loopback over `index` (on `port`, else a free one), as a real process; yields
    its URL."""
    port = port or free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index)}
    if upload_dir is not None:
        env["RAG_UPLOAD_DIR"] = str(upload_dir)
    if auth is not None:
        env["RAG_UI_AUTH"] = auth
    # The server logs to a file, not a pipe nobody reads (a full pipe would stall it).
    log = tempfile.NamedTemporaryFile("w+", prefix="rag-ui-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.serve.cli", "ui", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for_port(port, process, f"the UI (log: {log.name})")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        # Captured by pytest and shown with a failing test: the server's side of any error.
        print(f"rag ui log:\n{log.read()[-20_000:]}")
        log.close()
        os.unlink(log.name)


def indexed_one(tmp_path: Path, name: str, text: str) -> rag.RAG:
    """An index of one document `name` holding `text`."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([tmp_path / "docs"]).ok
    return engine


def two_sentences(tmp_path: Path, first: str, second: str):
    """An engine, one retrieved passage holding `first` then `second`, and settings quoting up to
    two sentences."""
    text = f"{first} {second}"
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("notes.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    return engine, passage, dataclasses.replace(engine.settings, answer_sentences=2)
