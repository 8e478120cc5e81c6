"""HTML pages: the visible text of the main content, a line break after every block."""

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
        else:
            if node.name in _HTML_BLOCKS:
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)
