"""The `rag` command: ingest, ask, status and ui, all through the public API."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import asdict

from tqdm import tqdm

from ..api import RAG
from ..chats import Chats
from ..errors import RagError
from ..types import Answer, IngestReport
from .cli_chats import add_commands

_EXIT_PARTIAL = 1  # some files failed; the others were indexed
_EXIT_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rag` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except RagError as exc:
        # Our errors (bad settings and arguments included) name the fix; no traceback needed.
        print(f"rag: error: {exc}", file=sys.stderr)
        return _EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions of your own documents; answers cite exact passages."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    # Where the index is: every command takes these.
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--index", help="index folder (default: $RAG_INDEX_DIR, else ./index)")
    store.add_argument(
        "--chroma-url",
        help="keep chunks on this Chroma server, e.g. http://127.0.0.1:8000 ($RAG_CHROMA_URL)",
    )
    store.add_argument(
        "--embed-url",
        help="embed on this OpenAI-compatible server, e.g. http://gpu:8080/v1 ($RAG_EMBED_URL)",
    )

    ingest = commands.add_parser(
        "ingest", parents=[store], help="index files and folders (incremental)"
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and rebuild it")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument(
        "--watch",
        action="store_true",
        help="after the sync, keep the index in step with changes under PATH... until Ctrl-C",
    )
    ingest.add_argument(
        "--follow-links",
        action="store_true",
        help="follow symlinks to files outside the given folders ($RAG_FOLLOW_LINKS)",
    )
    ingest.set_defaults(run=_ingest)

    # How questions are answered: the commands that answer take these.
    search = argparse.ArgumentParser(add_help=False)
    search.add_argument(
        "--rerank-model",
        help="re-rank passages with this cross-encoder, a name or local folder ($RAG_RERANK_MODEL)",
    )

    ask = commands.add_parser(
        "ask", parents=[store, search], help="answer a question with citations"
    )
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None, help="passages to consider")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    ask.add_argument("--llm", action="store_true", help="generative answer from a language model")
    ask.add_argument("--llm-url", help="OpenAI-compatible server URL ($RAG_LLM_URL)")
    ask.add_argument("--llm-model", help="model name on that server ($RAG_LLM_MODEL)")
    ask.add_argument("--gguf", help="local GGUF model file, run in-process ($RAG_LLM_GGUF)")
    ask.add_argument("--stream", action="store_true", help="print the answer as it is written")
    ask.add_argument(
        "--in",
        dest="sources",
        action="append",
        metavar="PATTERN",
        help="answer only from these documents: a file, folder or glob pattern (repeatable)",
    )
    ask.set_defaults(run=_ask)

    status = commands.add_parser(
        "status", parents=[store], help="documents, chunks, model, index size"
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=_status)

    ui = commands.add_parser("ui", parents=[store, search], help="start the chat UI in the browser")
    ui.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=None, help="port (default 7860)")
    ui.add_argument("--auth", default=None, help="require login user:password ($RAG_UI_AUTH)")
    ui.add_argument("--llm-url", help="offer model answers from this OpenAI-compatible server")
    ui.add_argument("--llm-model", help="model name on that server ($RAG_LLM_MODEL)")
    ui.add_argument("--gguf", help="offer model answers from this local GGUF file")
    ui.add_argument(
        "--watch",
        nargs="+",
        metavar="PATH",
        help="sync these files and folders now and whenever they change, while the UI runs",
    )
    ui.set_defaults(run=_ui)

    mcp = commands.add_parser(
        "mcp", parents=[store], help="serve the index to AI assistants over MCP (stdio or HTTP)"
    )
    mcp.add_argument("--port", type=int, help="serve streamable HTTP on this port (default: stdio)")
    mcp.add_argument("--host", default=None, help="address for --port (default 127.0.0.1)")
    mcp.add_argument(
        "--allow-ingest", action="store_true", help="offer an ingest tool (read-only without)"
    )
    mcp.set_defaults(run=_mcp)
    add_commands(commands, store, _engine)
    return parser


def _engine(args: argparse.Namespace) -> RAG:
    """The one engine for this command: the settings, with the flags given on top (a flag left
    unset leaves its setting as it is)."""
    flags = {
        "rerank_model": "rerank_model",
        "llm_url": "llm_url",
        "llm_model": "llm_model",
        "llm_gguf": "gguf",
        "ui_host": "host",
        "ui_port": "port",
        "ui_auth": "auth",
        "follow_links": "follow_links",
        "embed_url": "embed_url",
        "database_url": "database_url",
    }
    overrides = {field: getattr(args, flag, None) or None for field, flag in flags.items()}
    return RAG(args.index, chroma_url=args.chroma_url or None, **overrides)


def _ingest(args: argparse.Namespace) -> int:
    engine = _engine(args)
    bar: tqdm | None = None

    def progress(done: int, total: int, source: str) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:  # made at the start call, when the total is known (no "0file" line)
            bar = tqdm(total=total, unit="file", dynamic_ncols=True, file=sys.stderr)
        # Once every file is stored, ingest brings the search snapshot in step before returning
        # (seconds on a large index): say so rather than leave the bar idle at 100%.
        last = done == total
        bar.set_postfix_str("updating the search index" if last else source[-40:], refresh=False)
        bar.update(done - bar.n)
        if last:
            bar.refresh()

    try:
        report = engine.ingest(args.paths, progress=progress, rebuild=args.rebuild)
    finally:
        if bar is not None:
            bar.close()
    _print_report(report)
    if args.watch:
        print("watching for changes (Ctrl-C to stop)", file=sys.stderr)
        _watch_until_interrupted(engine, args.paths)
    return _EXIT_PARTIAL if report.failed else 0


def _watch_until_interrupted(engine: RAG, paths: list[str]) -> None:
    """Watch `paths` until Ctrl-C, which lets a sync under way finish and then stops; a second
    Ctrl-C stops at once. Raised in the middle of a sync or of the watcher's own code, the
    interrupt could leave the process hanging on its way out (seen once in 30 s of waiting)."""
    from .watch import watch

    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        watch(engine, paths, on_sync=_print_change, stop=stop, initial=False)
        return

    def interrupted(_signum: int, _frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        watch(engine, paths, on_sync=_print_change, stop=stop, initial=False)
    finally:
        signal.signal(signal.SIGINT, previous)
    print("stopped watching", file=sys.stderr)


def _print_report(report: IngestReport) -> None:
    for failure in report.failed:
        print(f"failed: {failure.source}: {failure.reason}", file=sys.stderr)
    for skipped in report.skipped:
        print(f"skipped: {skipped.source}: {skipped.reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning.source}: {warning.reason}", file=sys.stderr)
    print(report.summary(), flush=True)


def _print_change(report: IngestReport) -> None:
    """A watched sync's report, when it changed something or something failed."""
    if report.added or report.updated or report.removed or report.failed:
        print(time.strftime("%H:%M:%S "), end="")
        _print_report(report)


def _ask(args: argparse.Namespace) -> int:
    engine = _engine(args)
    mode = "generative" if (args.llm or args.llm_url or args.gguf) else None
    answer = None
    for event in engine.query_stream(args.question, k=args.k, mode=mode, sources=args.sources):
        if isinstance(event, Answer):
            answer = event
        elif args.stream and not args.json:
            print(event.text, end="", flush=True)
    assert answer is not None
    if args.json:
        print(json.dumps(asdict(answer), indent=2, ensure_ascii=False))
        return 0
    if args.stream:
        print("\n\nVerified:" if answer.mode == "generative" else "\n")
    if answer.notice:
        print(f"note: {answer.notice}", file=sys.stderr)
    print(answer.text)
    for sentence in answer.unsupported:
        print(f"  unsupported by its sources: {sentence}")
    if answer.citations:
        print()
    for citation in answer.citations:
        page = f", page {citation.page}" if citation.page is not None else ""
        section = f" > {' > '.join(citation.section)}" if citation.section else ""
        print(
            f"[{citation.n}] {citation.source}{page}{section} "
            f"(chars {citation.start}-{citation.end})"
        )
        print(f"    “{' '.join(citation.quote.split())}”")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _engine(args).status()
    if args.json:
        print(json.dumps({**asdict(status), "index": str(status.index)}, indent=2))
        return 0
    print(f"index:     {status.index}")
    print(f"documents: {status.documents}")
    if status.formats:
        print("formats:   " + ", ".join(f"{n} {suffix}" for suffix, n in status.formats.items()))
    print(f"chunks:    {status.chunks}")
    print(f"model:     {status.model}")
    print(f"size:      {status.size_bytes / 1e6:.1f} MB")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from ..ui.app import launch

    engine = _engine(args)
    if args.watch:
        from .watch import watch

        watcher = threading.Thread(
            target=watch, args=(engine, args.watch, _print_change), name="rag-watch", daemon=True
        )
        watcher.start()
    launch(engine)
    return 0


def _mcp(args: argparse.Namespace) -> int:
    from .mcp_server import build, http_app

    engine = _engine(args)
    server = build(engine, allow_ingest=args.allow_ingest)
    if args.port is None:
        server.run("stdio")
        return 0
    import uvicorn

    host = engine.settings.ui_host
    # Ingesting changes the index: with accounts, only an editor's token may then call it.
    role = "editor" if args.allow_ingest else "reader"
    app = http_app(server, Chats(engine), role, host)
    uvicorn.run(app, host=host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
