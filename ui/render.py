"""HTML for the chat UI: answers with clickable [n] markers, and their cited passages with the
quoted spans highlighted. Every piece of document text passes through `safe` before it reaches
the page, so HTML or markdown inside a document is shown as text, never run."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from rag import Answer, Citation
from rag.serve.web_api import API_PREFIX

_INERT = {ord(char): f"&#{ord(char)};" for char in "&<>\"'\\`*_[]#|~$"}
_CLOSEST_CHARS = 400
_MARKER = re.compile(r"\[\d+\]")


# Clicking an [n] marker opens, scrolls to and flashes that source in the sources panel.
HEAD = """
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
CSS = """
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
.rag-stale { color: #92400e; font-weight: 600; margin-bottom: .3em; }
"""


def safe(text: str) -> str:
    """Document text as inert text: HTML special characters and markdown syntax become character
    references in one pass (escaping in two passes would mangle the first pass's entities)."""
    return text.translate(_INERT)


def render_answer(answer: Answer, turn: int) -> str:
    """The chat message: the answer with clickable [n] markers, or a distinct 'not found' note."""
    if not answer.found:
        body = f'<div class="rag-notfound">⚠ {safe(answer.text)}</div>'
    else:
        body = safe(answer.text)
        for citation in answer.citations:
            marker = safe(f"[{citation.n}]")
            link = (
                f'<a class="rag-cite" href="#" data-target="rag-src-{turn}-{citation.n}" '
                f'title="{safe(citation.source)}">[{citation.n}]</a>'
            )
            body = body.replace(marker, link)
    for sentence in answer.unsupported:
        flagged = (
            f'<span class="rag-unsupported" title="Not supported by the cited passage">'
            f"{safe(sentence)}</span>"
        )
        body = body.replace(safe(sentence), flagged, 1)
    if answer.notice:
        body += f'<span class="rag-searched">Note: {safe(answer.notice)}</span>'
    if answer.searched != answer.question:
        body += f'<span class="rag-searched">Searched for: {safe(answer.searched)}</span>'
    # dir="auto": the browser lays out each block in the direction of its first strong
    # character, so an Arabic or Hebrew answer and passage read right to left.
    return f'<div class="rag-answer" dir="auto">{body}</div>' if answer.found else body


def open_link(citation: Citation, document_id: str | None) -> str:
    """A link that opens the cited document where the passage is: a PDF at its page in the
    browser's viewer, any other format as its extracted text scrolled to the passage. The link
    carries the document's id (`RAG.file_id`), never a path; "" for a document not indexed."""
    if document_id is None:
        return ""
    if citation.page is not None and citation.source.lower().endswith(".pdf"):
        href = f"{API_PREFIX}/files/{document_id}#page={citation.page}"
        label = f"open page {citation.page}"
    else:
        query = f"start={citation.start}&end={citation.end}"
        href, label = f"{API_PREFIX}/files/{document_id}/text?{query}#passage", "open in document"
    return f' · <a class="rag-open" href="{href}" target="_blank" rel="noopener">{label}</a>'


def render_sources(
    answer: Answer,
    turn: int = 0,
    file_id: Callable[[str], str | None] | None = None,
    changed: dict[str, str] | None = None,
) -> str:
    """The sources of one answer: each cited passage with its quoted sentence(s) highlighted and
    a link that opens its document there (given `file_id`, the engine's), or, for a 'not found'
    answer, the closest passages. A source in `changed` ({source: "changed" or "removed"},
    since the answer) says so, and its passage is shown as quoted then, unhighlighted and
    unlinked: its offsets may point elsewhere in the file now."""
    changed = changed or {}
    question = f'<bdi dir="auto">{safe(answer.question)}</bdi>'
    parts = [f'<div class="rag-turn">Q{turn + 1}: {question}</div>']
    if answer.found:
        for citation in answer.citations:
            page = f", page {citation.page}" if citation.page is not None else ""
            section = f" · {safe(' > '.join(citation.section))}" if citation.section else ""
            link = open_link(citation, file_id(citation.source)) if file_id else ""
            passage = _highlight(citation.text, citation.start, citation.quote_spans)
            if citation.source in changed:
                link = ""
                passage = (
                    f'<div class="rag-stale">⚠ This file was {changed[citation.source]} since '
                    "this answer: the passage below is as it was quoted then.</div>"
                    + _highlight(citation.text, citation.start, ())
                )
            parts.append(
                f'<details class="rag-source" id="rag-src-{turn}-{citation.n}"'
                f"{' open' if citation.n == 1 else ''}>"
                f"<summary>[{citation.n}] {safe(Path(citation.source).name)}{page}{section}"
                "</summary>"
                f'<div class="rag-passage" dir="auto">{passage}</div>'
                f"<small>{safe(citation.source)} · characters {citation.start}–{citation.end}"
                f"{link}</small></details>"
            )
    else:
        parts.append(
            "<em>Related passages: they cover the topic but not what was asked.</em>"
            if answer.missing
            else "<em>Not found in your documents. Closest passages:</em>"
        )
        for rank, passage in enumerate(answer.closest, start=1):
            page = f", page {passage.page}" if passage.page is not None else ""
            text = passage.text[:_CLOSEST_CHARS] + (
                "…" if len(passage.text) > _CLOSEST_CHARS else ""
            )
            parts.append(
                f'<details class="rag-source" id="rag-src-{turn}-c{rank}">'
                f"<summary>{safe(Path(passage.source).name)}{page}</summary>"
                f'<div class="rag-passage" dir="auto">{safe(text)}</div></details>'
            )
    return "\n".join(parts)


def _highlight(text: str, offset: int, spans: tuple[tuple[int, int], ...]) -> str:
    """The passage with the quoted spans wrapped in <mark>, everything else escaped."""
    out, cursor = [], 0
    for start, end in spans:
        start, end = start - offset, end - offset
        out.append(safe(text[cursor:start]))
        out.append(f"<mark>{safe(text[start:end])}</mark>")
        cursor = end
    out.append(safe(text[cursor:]))
    # Blank lines separate paragraphs; single line breaks are wrapping from the source file.
    return "".join(out).replace("\n\n", "<br><br>").replace("\n", " ")


def claims_so_far(answer: Answer) -> Iterator[Answer]:
    """The answer cut after its first claim, its second, ..., then whole."""
    if answer.found:
        for match in _MARKER.finditer(answer.text):
            if match.end() < len(answer.text):
                yield dataclasses.replace(answer, text=answer.text[: match.end()])
    yield answer
