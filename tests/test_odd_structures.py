"""Odd but valid structures, generated: the chunker keeps exact offsets on any text, and HTML
or Word files of any shape are read or refused with LoadError."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rag
from rag.errors import LoadError
from rag.ingestion.documents import load

from .conftest import ROOT

sys.path.insert(0, str(ROOT))

LIMIT = 5_000_000


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.characters(codec="utf-8"), max_size=3000)
    | st.lists(
        st.sampled_from(["Dr. Who.", "E.O. 14.", "\n", "- item", "'''", "x" * 300, " "])
    ).map("".join),
    size=st.integers(20, 900),
    overlap_share=st.floats(0, 0.95),
)
def test_the_chunker_keeps_exact_offsets_on_any_text(text: str, size: int, overlap_share: float):
    overlap = min(int(size * overlap_share), size - 1)
    document = rag.Document("x", text, (rag.types.Page(None, 0, len(text)),))
    chunks = rag.text.chunking.chunk_document(document, size, overlap)
    covered = set()
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text and len(chunk.text) <= size
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


_TAGS = ["p", "div", "span", "a", "li", "ul", "br", "h1", "table", "td", "main", "script", "nav"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(
        st.tuples(st.sampled_from(_TAGS), st.booleans(), st.text("ab <>&;#\n\"'", max_size=6)),
        max_size=60,
    )
)
def test_odd_but_valid_html_structure_reads_or_is_refused(tmp_path: Path, items: list):
    path = tmp_path / "odd.html"
    path.write_text(
        "".join((f"<{n}>" if opening else f"</{n}>") + text for n, opening, text in items)
    )
    try:
        document = load(path, str(path), LIMIT)
    except LoadError as exc:
        assert str(exc)
    else:
        assert document.text.strip() and document.text == document.text.strip()
        assert [(p.start, p.end) for p in document.pages] == [(0, len(document.text))]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    paragraphs=st.lists(
        st.lists(st.text(st.characters(codec="utf-8"), max_size=20), max_size=4), max_size=8
    )
)
def test_odd_but_valid_docx_structure_reads_or_is_refused(tmp_path: Path, paragraphs: list):
    from xml.sax.saxutils import escape

    body = "".join(
        "<w:p>" + "".join(f"<w:r><w:t>{escape(_xml_safe(t))}</w:t></w:r>" for t in runs) + "</w:p>"
        for runs in paragraphs
    )
    path = tmp_path / "odd.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    try:
        document = load(path, str(path), LIMIT)
    except LoadError as exc:
        assert str(exc)
    else:
        words = [w for runs in paragraphs for t in runs for w in t.split() if w.isalnum()]
        assert all(w in document.text for w in words)


def _xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
    )
