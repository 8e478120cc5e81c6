"""Load test of the HTTP API: N concurrent clients ask questions for a fixed time on 127.0.0.1,
each as a plain POST /api/query and each keeping a stored conversation (POST
/api/conversations/ID/ask: its earlier turns are the history, every turn is written to the
database), in alternating rounds on the same server.

    python bench/load.py [--clients 16] [--seconds 30] [--url http://127.0.0.1:7860]

Without --url it indexes seeds/ into a temporary folder and starts `rag ui` there itself.
Prints requests, throughput, p50/p95 latency and errors per mode, and p95 with conversations
over p95 without; writes bench/results/load.json."""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from common import ROOT, SHARED, print_table, read_jsonl, require, save

SEED_QUESTIONS = [
    "How does China view these deals?",
    "What is CPEC?",
    "Why do minerals matter?",
    "What did Khwaja Asif say?",
    "What does India think?",
]


def questions() -> list[str]:
    """Every fourth request asks about the seed documents; the rest are distinct NQ dev
    questions (mostly not covered by the seeds, so also the "not found" path). Distinct texts
    keep the per-question embedding cache from flattering the figures."""
    nq = [r["text"] for r in read_jsonl(require(SHARED / "data/nq-oracle/queries-dev.jsonl"))]
    mixed = []
    for i, question in enumerate(nq):
        if i % 3 == 0:
            mixed.append(SEED_QUESTIONS[(i // 3) % len(SEED_QUESTIONS)])
        mixed.append(question)
    return mixed


# A client starts a new conversation after this many turns, as a person starts a new topic.
TURNS_PER_CONVERSATION = 10


def run_load(
    url: str,
    clients: int,
    seconds: float,
    auth: tuple[str, str] | None = None,
    conversations: bool = False,
) -> dict:
    """Each client asks the questions in turn until time is up; with `conversations`, inside a
    stored conversation of its own. A request that fails, returns a status other than 200, or
    returns an answer with neither citations nor closest passages counts as an error (with its
    message kept, first few only)."""
    deadline = time.monotonic() + seconds
    base = url.rstrip("/") + "/api"
    asked, turn = questions(), itertools.count()

    def client(n: int) -> tuple[list[float], list[str]]:
        times, errors = [], []
        with httpx.Client(timeout=120, auth=auth) as http:
            endpoint, asked_here = f"{base}/query", 0
            while time.monotonic() < deadline:
                if conversations and asked_here % TURNS_PER_CONVERSATION == 0:
                    chat = http.post(f"{base}/conversations", json={}).json()["id"]
                    endpoint = f"{base}/conversations/{chat}/ask"
                question = asked[next(turn) % len(asked)]
                asked_here += 1
                started = time.perf_counter()
                try:
                    response = http.post(endpoint, json={"question": question})
                    body = response.json()
                    if conversations and response.status_code == 200:
                        body = body["answer"]
                    if response.status_code != 200:
                        errors.append(f"{response.status_code}: {body}")
                    elif not (body["citations"] or body["closest"]):
                        errors.append(f"no passages for {question!r}")
                    elif body["found"] != bool(body["citations"]):
                        errors.append(f"found={body['found']} with citations {body['citations']}")
                    else:
                        times.append(time.perf_counter() - started)
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
        return times, errors

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    times = [t for r, _ in results for t in r]
    errors = [e for _, r in results for e in r]
    return {
        "mode": "conversations" if conversations else "plain",
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(times) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_rps": len(times) / elapsed,
        "p50_ms": 1000 * float(np.percentile(times, 50)) if times else float("nan"),
        "p95_ms": 1000 * float(np.percentile(times, 95)) if times else float("nan"),
    }


def _serve_seeds(folder: Path) -> tuple[subprocess.Popen, str]:
    """Index seeds/ into `folder` and start `rag ui` over it on a free loopback port."""
    env = {**os.environ, "RAG_INDEX_DIR": str(folder / "index")}
    rag = [sys.executable, "-m", "rag.serve.cli"]
    subprocess.run([*rag, "ingest", "--quiet", str(ROOT / "seeds")], env=env, check=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([*rag, "ui", "--port", str(port)], env=env, cwd=folder)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=2).raise_for_status()
            return server, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    sys.exit("rag ui did not start within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--url", help="a running `rag ui` (default: start one over seeds/)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each mode, alternating")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        server, url = (None, args.url) if args.url else _serve_seeds(Path(folder))
        try:
            run_load(url, args.clients, 5)  # warm-up, not counted
            for _round in range(args.rounds):  # alternating, so drift hits both modes alike
                for conversations in (False, True):
                    rows.append(run_load(url, args.clients, args.seconds, None, conversations))
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    columns = ["mode", "clients", "seconds", "requests", "errors", "throughput_rps"]
    print_table(rows, [*columns, "p50_ms", "p95_ms"])
    plain = [r for r in rows if r["mode"] == "plain"]
    stored = [r for r in rows if r["mode"] == "conversations"]
    ratio = np.mean([r["p95_ms"] for r in stored]) / np.mean([r["p95_ms"] for r in plain])
    print(f"p95 with stored conversations / without: {ratio:.2f}x (mean over rounds)")
    result = {
        "rows": rows,
        "p95_ratio": float(ratio),
        "errors": sum(r["errors"] for r in rows),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    print(f"wrote {save('load', result)}")


if __name__ == "__main__":
    main()
