"""HTML pages: the visible text of the main content, a line break after every block, and a data
table's rows one to a line, each cell named by its column's header when the table has one."""

from __future__ import annotations

from pathlib import Path

from .encoding import decode_text

_HTML_BLOCKS = {
    "p",
    "div",
    "li",
    "br",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "section",
    "table",
    "ul",
    "ol",
    "dt",
    "dd",
    "figcaption",
    "caption",
    "hr",
}


def read(path: Path, max_bytes: int) -> list[str]:
    return [html_text(decode_text(path.read_bytes()))]


def html_text(markup: str) -> str:
    """Visible text of the page's main content. Written here rather than using llama-index's
    HTMLTagReader because that reader keeps navigation menus and reads only one tag name."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "svg"]):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    strings = main.interesting_string_types or main.MAIN_CONTENT_STRING_TYPES
    # One pass with an explicit stack, as get_text() would but ending every block tag with a line
    # break (inline tags such as links and emphasis must not break sentences). Appending those
    # breaks to the tree instead costs time in proportion to each tag's depth: 50,000 nested
    # <div>s took minutes.
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(main.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif isinstance(node, NavigableString):
            if type(node) in strings:
                parts.append(str(node))
        elif node.name == "table" and _is_data_table(node):
            parts.append(f"\n{_table_text(node)}\n")
        else:
            if node.name in _HTML_BLOCKS:
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


# Tags that make a table a page's layout rather than data: a cell holding paragraphs or lists.
_LAYOUT = ["p", "div", "table", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"]


def _is_data_table(table) -> bool:
    """Whether `table` holds data (rows of short cells), not a layout of blocks."""
    cells = table.find_all(["td", "th"])
    return bool(cells) and not any(cell.find(_LAYOUT) for cell in cells)


def _table_text(table) -> str:
    """A data table's rows, one to a line. Under a header row each cell is named by its column
    ("Flight: TP 1363; Departs: 07:05."), as spreadsheet rows are, so a row reads as a statement
    of what each figure is; a row headed by its own first cell, as a job advert's or an
    infobox's terms are, is named by it ("Salary: £27,400 a year."); any other row is a markdown
    row ("| TP 1363 | 07:05 |"). Read cell by cell, a departure time stood on a line of its own,
    apart from its flight; read as markdown rows, a table of terms was one sentence."""
    cells = [row.find_all(["td", "th"]) for row in table.find_all("tr")]
    rows = [[cell.get_text(" ", strip=True) for cell in row] for row in cells]
    rows = [row for row in rows if any(row)]
    first = table.find("tr")
    headed = first is not None and all(c.name == "th" for c in first.find_all(["td", "th"]))
    if not headed or len(rows) < 2:
        return "\n".join(
            _row_text(row) for row in cells if any(c.get_text(strip=True) for c in row)
        )
    header, *body = rows
    lines = []
    for row in body:
        named = [
            f"{header[i]}: {cell}" if i < len(header) and header[i] else cell
            for i, cell in enumerate(row)
            if cell
        ]
        lines.append(f"{'; '.join(named)}.")
    return "\n".join(lines)


def _row_text(cells) -> str:
    """A row of a table without a header row: "Term: value." where its first cell heads it (a
    `th` before `td`s), else a markdown row."""
    texts = [cell.get_text(" ", strip=True) for cell in cells]
    if len(cells) > 1 and cells[0].name == "th" and all(c.name == "td" for c in cells[1:]):
        values = "; ".join(text for text in texts[1:] if text)
        return f"{texts[0]}: {values.rstrip('.')}." if texts[0] else f"{values}."
    return f"| {' | '.join(texts)} |"
