"""PowerPoint slides (.pptx): one page per slide, with tables, groups and speaker notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .archive import check_archive


def read(path: Path, max_bytes: int) -> list[str]:
    """Each slide's text (titles, text boxes, tables, grouped shapes) and its speaker notes:
    one page per slide, so a citation names the slide."""
    check_archive(path, max_bytes)
    from pptx import Presentation

    slides = []
    for slide in Presentation(str(path)).slides:
        lines = [line for shape in slide.shapes for line in _shape_lines(shape)]
        if slide.has_notes_slide and (notes := slide.notes_slide.notes_text_frame):
            lines.append(notes.text)
        slides.append("\n".join(line for line in lines if line.strip()))
    return slides


def _shape_lines(shape) -> Iterator[str]:  # shape: a python-pptx shape
    if getattr(shape, "shapes", None) is not None:  # a group
        for inner in shape.shapes:
            yield from _shape_lines(inner)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        yield from shape.text_frame.text.split("\n")
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            yield " | ".join(cell.text for cell in row.cells)
