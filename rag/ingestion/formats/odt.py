"""OpenDocument text (.odt): headings and paragraphs in document order."""

from __future__ import annotations

from pathlib import Path

from .archive import check_archive


def read(path: Path, max_bytes: int) -> list[str]:
    """Headings and paragraphs (in lists, tables and sections too) in document order."""
    check_archive(path, max_bytes)
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load as load_odf

    blocks = []

    def walk(node) -> None:  # node: an odfpy element
        for child in node.childNodes:
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                blocks.append(teletype.extractText(child))
            elif child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(load_odf(str(path)).text)
    return ["\n".join(blocks)]
