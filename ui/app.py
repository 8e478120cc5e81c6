"""The Gradio chat app: answers on the left, their cited sources on the right.

It only calls the public `rag` API; every piece of document text is HTML-escaped before display."""

from __future__ import annotations

import os

# Before gradio is imported: no usage analytics leave the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag import RAG, Answer  # noqa: E402

EXAMPLE_QUESTION = "How does China view these deals?"
_INERT = {ord(char): f"&#{ord(char)};" for char in "&<>\"'\\`*_[]#|~"}


def render_sources(answer: Answer) -> str:
    """Markdown for the sources panel: each cited passage with its quoted sentence(s) in bold."""
    if not answer.found:
        if not answer.closest:
            return "*No passages matched.*"
        lines = ["**Closest passages (none answers the question):**"]
        for passage in answer.closest:
            lines.append(
                f"- `{_safe(passage.source)}` (score {passage.score:.2f}): "
                f"{_safe(_clip(passage.text))}"
            )
        return "\n".join(lines)
    lines = []
    if answer.searched != answer.question:
        lines.append(f"<small>Searched for: {_safe(answer.searched)}</small>\n")
    for citation in answer.citations:
        page = f", page {citation.page}" if citation.page is not None else ""
        lines.append(f"**[{citation.n}] {_safe(citation.source)}{page}**\n")
        lines.append(_highlight(citation.text, citation.start, citation.quote_spans) + "\n")
    return "\n".join(lines)


def _highlight(text: str, offset: int, spans: tuple[tuple[int, int], ...]) -> str:
    """The passage with the quoted spans wrapped in <mark>, everything else escaped."""
    out, cursor = [], 0
    for start, end in spans:
        start, end = start - offset, end - offset
        out.append(_safe(text[cursor:start]))
        out.append(f"<mark>{_safe(text[start:end])}</mark>")
        cursor = end
    out.append(_safe(text[cursor:]))
    return "> " + "".join(out).replace("\n", " ")


def _safe(text: str) -> str:
    """Document text as inert text: HTML special characters and markdown syntax become character
    references in one pass (escaping in two passes would mangle the first pass's entities)."""
    return text.translate(_INERT)


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def build(engine: RAG) -> gr.Blocks:
    """The app's layout and its one event: a question in, an answer and its sources out."""

    def respond(message: str, history: list) -> tuple[str, str]:
        if not message or not message.strip():
            return "Please type a question about your documents.", ""
        answer = engine.query(message, history=history)
        return _safe(answer.text), render_sources(answer)

    with gr.Blocks(title="rag: ask your documents", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask your documents\nAnswers quote your files; every claim cites its source."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=520)
            with gr.Column(scale=2):
                sources = gr.Markdown(
                    "*Sources of the latest answer appear here.*", label="Sources"
                )
        gr.ChatInterface(
            respond,
            chatbot=chat,
            additional_outputs=[sources],
            examples=[EXAMPLE_QUESTION],
            run_examples_on_click=True,
            analytics_enabled=False,
            api_name="ask",
        )
    return app


def launch(engine: RAG, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the app; binds to loopback unless a host is given explicitly."""
    build(engine).queue().launch(server_name=host, server_port=port)
