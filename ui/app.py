"""The Gradio app: chat on the left, the cited sources on the right, documents in a second tab.

It only calls the public `rag` API; its HTML comes from `render.py`, which escapes every piece of
document text."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

# Before gradio is imported: no usage analytics leave the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag import RAG, SUPPORTED_SUFFIXES, Answer, RagError, Token  # noqa: E402
from rag.serve.web_api import create_app  # noqa: E402

from .render import claims_so_far, render_answer, render_sources, safe  # noqa: E402

EXAMPLE_QUESTION = "How does China view these deals?"
QUOTES, MODEL = "Quotes from your documents", "Language model (verified)"

# Clicking an [n] marker opens, scrolls to and flashes that source in the sources panel.
_HEAD = """
<script>
document.addEventListener("click", (event) => {
  const marker = event.target.closest("a.rag-cite");
  if (!marker) return;
  event.preventDefault();
  const source = document.getElementById(marker.dataset.target);
  if (!source) return;
  source.open = true;
  source.scrollIntoView({behavior: "smooth", block: "center"});
  source.classList.add("rag-flash");
  setTimeout(() => source.classList.remove("rag-flash"), 1600);
});
</script>
"""
_CSS = """
a.rag-cite { font-weight: 600; text-decoration: none; cursor: pointer; color: #2563eb; }
.rag-notfound { border-left: 4px solid #d97706; padding-left: .6em; color: #92400e; }
.rag-searched { display: block; font-size: .8em; opacity: .7; margin-top: .4em; }
details.rag-source { border: 1px solid #e5e7eb; border-radius: 8px; padding: .4em .7em; margin: .4em 0; }
details.rag-source summary { cursor: pointer; font-weight: 600; }
details.rag-source mark { background: #fde68a; padding: 0 .1em; }
details.rag-source.rag-flash { box-shadow: 0 0 0 3px #60a5fa; }
.rag-unsupported { color: #9ca3af; text-decoration: underline dotted #dc2626; }
.rag-writing { opacity: .75; }
.rag-turn { font-size: .85em; opacity: .75; margin-top: .8em; }
.rag-passage { font-size: .92em; line-height: 1.45; }
"""


def status_line(engine: RAG) -> str:
    status = engine.status()
    return (
        f"**{status.documents}** documents · **{status.chunks}** chunks · model "
        f"`{safe(Path(status.model).name)}` · index {status.size_bytes / 1e6:.1f} MB"
    )


def documents_table(engine: RAG) -> list[list[object]]:
    return [
        [d.source, d.chunks, dt.datetime.fromtimestamp(d.indexed_at).strftime("%Y-%m-%d %H:%M")]
        for d in engine.documents()
    ]


def build(engine: RAG) -> gr.Blocks:
    """The app's layout and events. Where the engine has a language model, a setting lets each
    user choose between quoted answers and a language model's verified answers."""
    generative = engine.generative_available

    def ask(
        message: str,
        history: list,
        panel: list[str],
        mode: str = QUOTES,
        scope: list[str] | None = None,
    ) -> Iterator[tuple]:
        message = (message or "").strip()
        if not message:
            yield history, panel, "\n".join(panel), ""
            return
        history = [*history, {"role": "user", "content": message}]

        def show(reply: str) -> tuple:
            return [*history, {"role": "assistant", "content": reply}], panel, "\n".join(panel), ""

        yield show("Searching your documents…")
        chosen = "generative" if (mode == MODEL and generative) else "extractive"
        answer, written = None, ""
        try:
            events = engine.query_stream(
                message, history=history[:-1], mode=chosen, sources=scope or None
            )
            for event in events:
                if isinstance(event, Answer):
                    answer = event
                elif isinstance(event, Token) and chosen == "generative":
                    written += event.text  # the model's raw tokens, until verification
                    yield show(f'<span class="rag-writing">{safe(written)}</span>')
        except RagError as exc:
            yield show(f'<div class="rag-notfound">⚠ {safe(str(exc))}</div>')
            return
        assert answer is not None
        turn = sum(1 for m in history if m["role"] == "user") - 1
        panel = [render_sources(answer, turn, engine.file_id), *panel]
        # Quotes are instant; they still arrive claim by claim, as a model's answer would.
        for partial in claims_so_far(answer):
            yield show(render_answer(partial, turn))

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio idiom)
        def stored(done: int, total: int, source: str) -> None:
            # Once every file is stored, ingest brings the search snapshot in step (seconds on
            # a large index): say so rather than sit at 100%.
            step = "Updating the search index" if done == total else f"Indexed {Path(source).name}"
            progress((done, total), desc=step if source else "Reading")

        uploads = [(Path(path).name, path) for path in files or []]
        try:
            reports = engine.add_uploads(uploads, progress=stored)
        except (RagError, OSError) as exc:  # OSError: the browser's temporary file vanished
            return (f"✗ {safe(str(exc))}", *_refreshed())
        notes = []
        for (name, _path), report in zip(uploads, reports, strict=True):
            notes += [f"✗ {safe(f.reason)}" for f in report.failed]
            if report.added or report.updated:
                notes.append(f"✓ {safe(name)}: {report.chunks_added} chunks indexed")
            elif report.unchanged:
                notes.append(f"= {safe(name)}: already indexed, unchanged")
        return ("<br>".join(notes) or "No file selected.", *_refreshed())

    def remove(source: str | None) -> tuple:
        if not source:
            return ("Choose a document to remove.", *_refreshed())
        removed = engine.remove(source)
        note = f"Removed {safe(source)}." if removed else f"{safe(source)} was not indexed."
        return (note, *_refreshed())

    def resync(progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio idiom)
        report = engine.resync(
            progress=lambda d, t, s: progress((d, t), desc=f"Checked {s}" if s else "Checking")
        )
        return (safe(report.summary()), *_refreshed())

    def _refreshed() -> tuple:
        rows = documents_table(engine)
        names = [r[0] for r in rows]
        return (
            rows,
            gr.update(choices=names, value=None),
            status_line(engine),
            gr.update(choices=names),  # the scope keeps what is chosen
        )

    with gr.Blocks(title="rag: ask your documents") as app:
        gr.Markdown(
            "## Ask your documents\nEvery answer quotes your files; click a [n] to see the passage."
        )
        status = gr.Markdown(status_line(engine))
        with gr.Tab("Chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = gr.Chatbot(
                        label="Conversation",
                        height=520,
                        sanitize_html=False,  # we escape document text ourselves (see _safe)
                        buttons=["copy"],
                        placeholder=f"Try: **{EXAMPLE_QUESTION}**",
                        elem_id="rag-chat",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Ask a question about your documents…",
                            show_label=False,
                            scale=5,
                            elem_id="rag-question",
                            autofocus=True,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="rag-ask")
                    with gr.Row():
                        example = gr.Button(EXAMPLE_QUESTION, size="sm", elem_id="rag-example")
                        clear = gr.Button("Clear conversation", size="sm", elem_id="rag-clear")
                    mode = gr.Radio(
                        [QUOTES, MODEL] if generative else [QUOTES],
                        value=QUOTES,
                        label="Answers",
                        info=None
                        if generative
                        else "Start with `rag ui --gguf FILE` or `--llm-url URL` for model answers.",
                        elem_id="rag-mode",
                    )
                    scope = gr.Dropdown(
                        choices=[r[0] for r in documents_table(engine)],
                        value=[],
                        multiselect=True,
                        filterable=True,
                        label="Ask only these documents (type to search; none chosen: all)",
                        elem_id="rag-scope",
                    )
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(
                        "<em>Sources of each answer appear here.</em>", elem_id="rag-sources"
                    )
        with gr.Tab("Documents"):
            uploader = gr.File(
                label=f"Upload documents ({', '.join(SUPPORTED_SUFFIXES)}; up to "
                f"{engine.settings.max_upload_mb:.0f} MB each)",
                file_count="multiple",
                file_types=list(SUPPORTED_SUFFIXES),
                elem_id="rag-upload",
            )
            upload_note = gr.HTML(elem_id="rag-upload-note")
            table = gr.Dataframe(
                headers=["document", "chunks", "indexed"],
                value=documents_table(engine),
                interactive=False,
                elem_id="rag-documents",
            )
            with gr.Row():
                choice = gr.Dropdown(
                    label="Document",
                    choices=[r[0] for r in documents_table(engine)],
                    elem_id="rag-remove-choice",
                )
                remove_button = gr.Button("Remove", variant="stop", elem_id="rag-remove")
                resync_button = gr.Button("Re-sync all", elem_id="rag-resync")

        panel = gr.State([])
        outputs = [chat, panel, sources, question]
        inputs = [question, chat, panel, mode, scope]
        question.submit(ask, inputs, outputs, api_name="ask")
        send.click(ask, inputs, outputs, api_name=False)
        example.click(lambda: EXAMPLE_QUESTION, None, question, api_name=False).then(
            ask, inputs, outputs, api_name=False
        )
        clear.click(lambda: ([], [], ""), None, [chat, panel, sources], api_name=False)
        documents_outputs = [upload_note, table, choice, status, scope]
        uploader.upload(upload, uploader, documents_outputs, api_name="upload")
        remove_button.click(remove, choice, documents_outputs, api_name="remove")
        resync_button.click(resync, None, documents_outputs, api_name="resync")
    return app


def launch(engine: RAG) -> None:
    """Serve the UI at / and the HTTP API at /api on the engine's `ui_host` and `ui_port`
    (loopback by default). With `ui_auth` ("user:password") the UI asks for that login and the
    API takes it as HTTP Basic."""
    import uvicorn

    settings = engine.settings
    host, port = settings.ui_host, settings.ui_port
    credentials = None
    if settings.ui_auth:
        user, _, password = settings.ui_auth.partition(":")
        if not user or not password:
            raise RagError("UI login must look like user:password (RAG_UI_AUTH or --auth)")
        credentials = (user, password)
    app = gr.mount_gradio_app(
        create_app(engine, credentials),
        build(engine).queue(default_concurrency_limit=8),
        path="/",
        server_name=host,
        server_port=port,
        auth=credentials,
        head=_HEAD,
        css=_CSS,
        footer_links=[],
        max_file_size=f"{engine.settings.max_upload_mb:.0f}mb",
    )
    engine.warm_up()  # the first visitor's question should not pay for loading the model
    print(f"rag: UI at http://{host}:{port}/  API at http://{host}:{port}/api/docs", flush=True)
    # Open event streams (a browser tab) must not hold up Ctrl-C or SIGTERM for long.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
