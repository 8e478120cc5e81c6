"""Sheets and CSV files: each row one line that keeps its column names, so a row reads as a
sentence and can be cited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .archive import check_archive
from .encoding import decode_text


def read_xlsx(path: Path, max_bytes: int) -> list[str]:
    """One page per sheet; each row a line "<sheet> row <n>: <header>: <value>; ...", the first
    non-empty row taken as the headers."""
    check_archive(path, max_bytes)
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [
            "\n".join(_records(sheet.title, sheet.iter_rows(values_only=True)))
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def read_csv(path: Path, max_bytes: int) -> list[str]:
    text = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return ["\n".join(_records(path.stem, csv.reader(io.StringIO(text), dialect)))]


def _records(table: str, rows: Iterable[Sequence[object]]) -> Iterator[str]:
    headers: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        cells = ["" if cell is None else str(cell).strip() for cell in row]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            yield f"{table}: columns {'; '.join(c for c in cells if c)}."
            continue
        named = [
            f"{headers[i] if i < len(headers) and headers[i] else f'column {i + 1}'}: {cell}"
            for i, cell in enumerate(cells)
            if cell
        ]
        yield f"{table} row {number}: {'; '.join(named)}."
