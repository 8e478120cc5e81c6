"""The Gradio app: conversations on the left, the chat in the middle, the cited sources on the
right, documents in a second tab.

It only calls the public `rag` API; its HTML comes from `render.py`, which escapes every piece of
document text."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

# Before gradio is imported: no usage analytics leave the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import rag  # noqa: E402
from rag import RAG, SUPPORTED_SUFFIXES, Chats, ChatTurn, NotFound, RagError, Token  # noqa: E402
from rag.serve.web_api import create_app  # noqa: E402

from .history import export_files, label, restored  # noqa: E402
from .render import CSS, HEAD, claims_so_far, render_answer, render_sources, safe  # noqa: E402

EXAMPLE_QUESTION = "How does China view these deals?"
_NO_SOURCES = "<em>Sources of each answer appear here.</em>"
QUOTES, MODEL = "Quotes from your documents", "Language model (verified)"


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


def build(engine: RAG, chats: Chats | None = None) -> gr.Blocks:
    """The app's layout and events. Conversations are stored (`rag.Chats`): with accounts they
    belong to the logged-in user, without to the browser (a random id it keeps). Where the
    engine has a language model, a setting lets each user choose quoted or model answers."""
    chats = chats or Chats(engine)
    generative = engine.generative_available

    def owner(session: dict, request: gr.Request | None) -> str:
        if request is not None and request.username:
            return f"user:{request.username}"
        # A browser's id from its storage (set on load); an API client gets one per session.
        return session.get("owner") or f"browser:{uuid.uuid4().hex}"

    def listing(who: str, search: str = "", chosen: str | None = None) -> dict:
        found = chats.conversations(who, search or "")
        ids = {c.id for c in found}
        return gr.update(
            choices=[(label(c), c.id) for c in found], value=chosen if chosen in ids else None
        )

    def shown(who: str, conversation_id: str) -> tuple:
        """(chat, panel, sources html, markdown file, json file) of a stored conversation."""
        conversation = chats.conversation(who, conversation_id)
        messages, panel = restored(conversation, chats, engine.file_id)
        markdown, json_file = export_files(chats, who, conversation_id)
        return messages, panel, "\n".join(panel) or _NO_SOURCES, markdown, json_file

    def load(saved: dict, request: gr.Request) -> tuple:
        saved = dict(saved or {})
        saved["browser"] = saved.get("browser") or uuid.uuid4().hex
        session = {"owner": f"browser:{saved['browser']}"}
        who = owner(session, request)
        session["owner"] = who
        chat, panel, html, markdown, json_file = [], [], _NO_SOURCES, None, None
        if saved.get("conversation"):
            try:
                chat, panel, html, markdown, json_file = shown(who, saved["conversation"])
                session["conversation"] = saved["conversation"]
            except NotFound:  # deleted, or another user's: start afresh
                saved["conversation"] = ""
        chosen = session.get("conversation")
        return (session, saved, chat, panel, html, listing(who, "", chosen), markdown, json_file)

    def ask(
        message: str,
        history: list,
        panel: list[str],
        mode: str = QUOTES,
        scope: list[str] | None = None,
        session: dict | None = None,
        saved: dict | None = None,
        request: gr.Request = None,
    ) -> Iterator[tuple]:
        session, saved = dict(session or {}), dict(saved or {})
        message = (message or "").strip()
        keep = (gr.skip(),) * 5  # session, saved, list, exports: unchanged until answered
        if not message:
            yield (history, panel, "\n".join(panel), "", *keep)
            return
        history = [*history, {"role": "user", "content": message}]

        def show(reply: str) -> tuple:
            return (
                [*history, {"role": "assistant", "content": reply}],
                panel,
                "\n".join(panel),
                "",
            )

        yield (*show("Searching your documents…"), *keep)
        chosen = "generative" if (mode == MODEL and generative) else "extractive"
        who = session["owner"] = owner(session, request)
        turn, written = None, ""
        try:
            conversation = session.get("conversation") or chats.start(who).id
            session["conversation"] = saved["conversation"] = conversation
            events = chats.converse(who, conversation, message, chosen, sources=scope or None)
            for event in events:
                if isinstance(event, ChatTurn):
                    turn = event
                elif isinstance(event, Token) and chosen == "generative":
                    written += event.text  # the model's raw tokens, until verification
                    yield (*show(f'<span class="rag-writing">{safe(written)}</span>'), *keep)
        except RagError as exc:
            yield (*show(f'<div class="rag-notfound">⚠ {safe(str(exc))}</div>'), *keep)
            return
        assert turn is not None
        answer, index = turn.answer, turn.n - 1
        panel = [render_sources(answer, index, engine.file_id), *panel]
        markdown, json_file = export_files(chats, who, conversation)
        done = (session, saved, listing(who, "", conversation), markdown, json_file)
        # Quotes are instant; they still arrive claim by claim, as a model's answer would.
        for partial in claims_so_far(answer):
            last = partial is answer
            yield (*show(render_answer(partial, index)), *(done if last else keep))

    def pick(conversation_id: str | None, session: dict, saved: dict, request: gr.Request) -> tuple:
        who = owner(session, request)
        if not conversation_id:
            return (gr.skip(),) * 7
        chat, panel, html, markdown, json_file = shown(who, conversation_id)
        session = {**session, "owner": who, "conversation": conversation_id}
        return (
            chat,
            panel,
            html,
            {**saved, "conversation": conversation_id},
            session,
            markdown,
            json_file,
        )

    def find(words: str, session: dict, request: gr.Request) -> dict:
        return listing(owner(session, request), words, session.get("conversation"))

    def new(session: dict, saved: dict) -> tuple:
        session = {**session, "conversation": ""}
        return (
            [],
            [],
            _NO_SOURCES,
            {**saved, "conversation": ""},
            session,
            None,
            None,
            gr.update(value=None),
        )

    def rename(title: str, session: dict, request: gr.Request) -> tuple:
        who, current = owner(session, request), session.get("conversation")
        if not current:
            return "Ask a question first: there is no conversation to rename.", gr.skip()
        try:
            chats.rename(who, current, title or "")
        except RagError as exc:
            return f"✗ {safe(str(exc))}", gr.skip()
        return "Renamed.", listing(who, "", current)

    def delete(session: dict, saved: dict, request: gr.Request) -> tuple:
        who, current = owner(session, request), session.get("conversation")
        if current:
            chats.delete(who, current)
        cleared = new(session, saved)
        return (*cleared[:-1], listing(who), gr.update(visible=False), "Deleted.")

    def rate(data: gr.LikeData, session: dict, request: gr.Request) -> tuple:
        who, current = owner(session, request), session.get("conversation")
        index = data.index if isinstance(data.index, int) else data.index[0]
        if not current:
            return "Nothing to rate yet.", session
        rating = 1 if data.liked is True else -1 if data.liked is False else 0
        n = index // 2 + 1  # messages alternate question, answer
        chats.rate(who, current, n, rating)
        thumbs = {1: "👍", -1: "👎", 0: "cleared"}[rating]
        note = f"Answer {n} rated {thumbs}. Add a comment or the sentence that answers, below."
        return note, {**session, "rated": n, "rating": rating}

    def comment(text: str, correction: str, session: dict, request: gr.Request) -> str:
        who, current, n = owner(session, request), session.get("conversation"), session.get("rated")
        if not (current and n):
            return "Rate an answer with 👍 or 👎 first."
        chats.rate(who, current, n, session.get("rating", 0), text or "", correction or "")
        return f"Thanks: your comment on answer {n} is saved."

    def editor(request: gr.Request | None) -> str:
        """'' when the caller may change documents; otherwise why not."""
        if request is None or not request.username:
            return ""
        user = chats.user(request.username)
        try:
            Chats.require(user or rag.User(request.username, "reader"), "editor")
        except rag.Forbidden as exc:
            return f"✗ 403 Forbidden: {safe(str(exc))}"
        return ""

    def upload(
        files: list[str] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio idiom)
    ) -> tuple:
        if refused := editor(request):
            return (refused, *_refreshed())

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

    def remove(source: str | None, request: gr.Request) -> tuple:
        if refused := editor(request):
            return (refused, *_refreshed())
        if not source:
            return ("Choose a document to remove.", *_refreshed())
        removed = engine.remove(source)
        note = f"Removed {safe(source)}." if removed else f"{safe(source)} was not indexed."
        return (note, *_refreshed())

    def resync(request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio idiom)
        if refused := editor(request):
            return (refused, *_refreshed())
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
                with gr.Column(scale=1, min_width=220):
                    new_button = gr.Button("New conversation", size="sm", elem_id="rag-new")
                    search = gr.Textbox(
                        placeholder="Search conversations…",
                        show_label=False,
                        elem_id="rag-search",
                    )
                    conversations = gr.Radio(
                        choices=[], label="Conversations", elem_id="rag-conversations"
                    )
                    with gr.Accordion("Rename, export, delete", open=False, elem_id="rag-manage"):
                        title = gr.Textbox(
                            placeholder="New title", show_label=False, elem_id="rag-title"
                        )
                        rename_button = gr.Button("Rename", size="sm", elem_id="rag-rename")
                        export_md = gr.DownloadButton(
                            "Export Markdown", size="sm", elem_id="rag-export-md"
                        )
                        export_json = gr.DownloadButton(
                            "Export JSON", size="sm", elem_id="rag-export-json"
                        )
                        delete_button = gr.Button(
                            "Delete conversation", size="sm", variant="stop", elem_id="rag-delete"
                        )
                        with gr.Row(visible=False) as confirm_row:
                            confirm = gr.Button(
                                "Yes, delete it",
                                size="sm",
                                variant="stop",
                                elem_id="rag-delete-yes",
                            )
                            cancel = gr.Button("Keep it", size="sm", elem_id="rag-delete-no")
                    manage_note = gr.Markdown(elem_id="rag-manage-note")
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
                    feedback_note = gr.Markdown(elem_id="rag-feedback-note")
                    with gr.Row():
                        remark = gr.Textbox(
                            placeholder="Comment on the rated answer (optional)",
                            show_label=False,
                            scale=3,
                            elem_id="rag-comment",
                        )
                        correction = gr.Textbox(
                            placeholder="The sentence that does answer it (optional)",
                            show_label=False,
                            scale=3,
                            elem_id="rag-correction",
                        )
                        send_feedback = gr.Button(
                            "Send", size="sm", scale=1, elem_id="rag-send-feedback"
                        )
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
                    sources = gr.HTML(_NO_SOURCES, elem_id="rag-sources")
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
        session = gr.State({})
        saved = gr.BrowserState({}, storage_key="rag-conversation", secret=chats.browser_secret())
        app.load(
            load,
            saved,
            [session, saved, chat, panel, sources, conversations, export_md, export_json],
            api_name=False,
        )
        outputs = [
            chat,
            panel,
            sources,
            question,
            session,
            saved,
            conversations,
            export_md,
            export_json,
        ]
        inputs = [question, chat, panel, mode, scope, session, saved]
        question.submit(ask, inputs, outputs, api_name="ask")
        send.click(ask, inputs, outputs, api_name=False)
        example.click(lambda: EXAMPLE_QUESTION, None, question, api_name=False).then(
            ask, inputs, outputs, api_name=False
        )
        shown_outputs = [chat, panel, sources, saved, session, export_md, export_json]
        conversations.input(pick, [conversations, session, saved], shown_outputs, api_name=False)
        new_button.click(new, [session, saved], [*shown_outputs, conversations], api_name=False)
        # The chat's own clear button starts a new conversation too; the old one stays listed.
        chat.clear(new, [session, saved], [*shown_outputs, conversations], api_name=False)
        search.change(
            find,
            [search, session],
            conversations,
            api_name=False,
        )
        rename_button.click(rename, [title, session], [manage_note, conversations], api_name=False)
        delete_button.click(lambda: gr.update(visible=True), None, confirm_row, api_name=False)
        cancel.click(lambda: gr.update(visible=False), None, confirm_row, api_name=False)
        confirm.click(
            delete,
            [session, saved],
            [*shown_outputs, conversations, confirm_row, manage_note],
            api_name=False,
        )
        chat.like(rate, [session], [feedback_note, session], api_name=False)
        send_feedback.click(comment, [remark, correction, session], feedback_note, api_name=False)
        documents_outputs = [upload_note, table, choice, status, scope]
        uploader.upload(upload, uploader, documents_outputs, api_name="upload")
        remove_button.click(remove, choice, documents_outputs, api_name="remove")
        resync_button.click(resync, None, documents_outputs, api_name="resync")
    return app


def launch(engine: RAG) -> None:
    """Serve the UI at / and the HTTP API at /api on the engine's `ui_host` and `ui_port`
    (loopback by default). Once accounts exist (`rag users add`) or `ui_auth`
    ("user:password") is set, the UI asks for a login and the API for a token or the login as
    HTTP Basic; whether a login is asked is decided here, at start."""
    import uvicorn

    settings = engine.settings
    host, port = settings.ui_host, settings.ui_port
    if settings.ui_auth:
        user, _, password = settings.ui_auth.partition(":")
        if not user or not password:
            raise RagError("UI login must look like user:password (RAG_UI_AUTH or --auth)")
    chats = Chats(engine)
    app = gr.mount_gradio_app(
        create_app(engine, chats),
        build(engine, chats).queue(default_concurrency_limit=8),
        path="/",
        server_name=host,
        server_port=port,
        auth=(lambda name, password: chats.login(name, password) is not None)
        if chats.accounts
        else None,
        head=HEAD,
        css=CSS,
        footer_links=[],
        max_file_size=f"{engine.settings.max_upload_mb:.0f}mb",
    )
    engine.warm_up()  # the first visitor's question should not pay for loading the model
    print(f"rag: UI at http://{host}:{port}/  API at http://{host}:{port}/api/docs", flush=True)
    # Open event streams (a browser tab) must not hold up Ctrl-C or SIGTERM for long.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
