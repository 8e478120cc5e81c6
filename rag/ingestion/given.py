"""LlamaIndex `Document`s (from any LlamaHub reader) as texts to index. Read by duck typing
(`text`, `metadata`, `doc_id`), so the engine takes them without importing LlamaIndex."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidInput
from ..types import GivenText, Page


def given_texts(documents: Sequence[object]) -> list[GivenText]:
    """LlamaIndex `Document`s as texts for `RAG.ingest`: those naming one `file_path` become
    one text keyed by that file (a PDF reader's pages in order, each page cited by its
    `page_label`); the others one text each, keyed by `doc_id`. Metadata is kept (JSON values
    only; the first document's for a file)."""
    groups: dict[str, list] = {}
    for document in documents:
        text, metadata = getattr(document, "text", None), getattr(document, "metadata", None)
        if not isinstance(text, str) or not isinstance(metadata, dict):
            raise InvalidInput(
                f"rag.ingest takes paths or LlamaIndex Documents, not {type(document).__name__}"
            )
        path = metadata.get("file_path")
        key = str(Path(path).resolve()) if path else f"llama-index:{document.doc_id}"
        groups.setdefault(key, []).append(document)
    return [_given(key, parts) for key, parts in groups.items()]


def _given(key: str, parts: list) -> GivenText:
    metadata = parts[0].metadata
    source = str(metadata.get("file_path") or key)
    text, pages = "", []
    for number, part in enumerate(parts, start=1):
        if text:
            text += "\n\n"
        label = str(part.metadata.get("page_label", ""))
        pages.append(
            Page(int(label) if label.isdigit() else number, len(text), len(text) + len(part.text))
        )
        text += part.text
    paged = len(parts) > 1 or "page_label" in metadata
    kept = {
        k: v
        for k, v in metadata.items()
        if (isinstance(v, (str, int, float, bool)) or v is None) and k != "page_label"
    }
    whole = (Page(None, 0, len(text)),)  # one span and no page number, like a text file
    return GivenText(key, source, text, tuple(pages) if paged else whole, kept)
