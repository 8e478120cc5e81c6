"""`rag ui` killed with SIGKILL while it writes conversation turns, 20 times over one database:
the database stays whole and every turn whose answer was returned is in it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import rag

from .conftest import ROOT, SEEDS, _wait_for_port, free_port

pytestmark = pytest.mark.slow

QUESTIONS = [
    "How does China view these deals?",
    "What did Pakistan offer the US?",
    "What is CPEC?",
    "What is said about stablecoins?",
]


def test_sigkill_while_writing_turns_loses_no_shown_answer(tmp_path: Path):
    index = tmp_path / "index"
    assert rag.RAG(index=index).ingest([SEEDS]).ok
    shown: set[tuple[str, int]] = set()  # (conversation, turn) whose answer came back
    rng = random.Random(7)
    for _round in range(20):
        port = free_port()
        log = (tmp_path / "ui.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "rag.serve.cli", "ui", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "RAG_INDEX_DIR": str(index)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(port, process, "rag ui")
        url = f"http://127.0.0.1:{port}/api/conversations"
        stop = threading.Event()

        def writer(n: int, url: str = url, stop: threading.Event = stop) -> None:
            with httpx.Client(timeout=30) as client:
                try:
                    chat = client.post(url, json={}).json()["id"]
                    while not stop.is_set():
                        question = QUESTIONS[n % len(QUESTIONS)]
                        reply = client.post(f"{url}/{chat}/ask", json={"question": question})
                        if reply.status_code == 200:
                            shown.add((chat, reply.json()["n"]))
                        n += 1
                except httpx.HTTPError:
                    return  # the server died under the request: that answer was never shown

        writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in writers:
            thread.start()
        time.sleep(rng.uniform(0.5, 2.0))  # somewhere in the middle of writing
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
        log.close()
    database = index / "conversations.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = set(db.execute("SELECT conversation, n FROM rag_turns"))
    assert len(shown) >= 20  # the rounds did write
    assert shown <= stored
