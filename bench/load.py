"""Load test of the HTTP API: N concurrent clients POST /api/query for a fixed time on 127.0.0.1.

    python bench/load.py [--clients 16] [--seconds 30] [--url http://127.0.0.1:7860]

Without --url it indexes seeds/ into a temporary folder and starts `rag ui` there itself.
Prints requests, throughput, p50/p95 latency and errors; writes bench/results/load.json."""

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


def run_load(url: str, clients: int, seconds: float, auth: tuple[str, str] | None = None) -> dict:
    """Each client asks the questions in turn until time is up. A request that fails, returns
    a status other than 200, or returns an answer with neither citations nor closest passages
    counts as an error (with its message kept, first few only)."""
    deadline = time.monotonic() + seconds
    endpoint = url.rstrip("/") + "/api/query"
    asked, turn = questions(), itertools.count()

    def client(n: int) -> tuple[list[float], list[str]]:
        times, errors = [], []
        with httpx.Client(timeout=120, auth=auth) as http:
            while time.monotonic() < deadline:
                question = asked[next(turn) % len(asked)]
                started = time.perf_counter()
                try:
                    response = http.post(endpoint, json={"question": question})
                    body = response.json()
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server, url = (None, args.url) if args.url else _serve_seeds(Path(folder))
        try:
            result = run_load(url, args.clients, args.seconds)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    result["date"] = time.strftime("%Y-%m-%d")
    print_table(
        [result], ["clients", "seconds", "requests", "errors", "throughput_rps", "p50_ms", "p95_ms"]
    )
    print(f"wrote {save('load', result)}")


if __name__ == "__main__":
    main()
