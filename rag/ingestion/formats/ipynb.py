"""Jupyter notebooks (.ipynb): markdown and code cells, one page per cell."""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import LoadError
from .encoding import decode_text


def read(path: Path, max_bytes: int) -> list[str]:
    """Markdown and code cells, one page per cell (a citation names the cell); outputs left
    out (they are results, often large, not what the notebook says)."""
    try:
        notebook = json.loads(decode_text(path.read_bytes()))
        cells = notebook["cells"]
        return [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
            if cell.get("cell_type") in ("markdown", "code")
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"not a valid Jupyter notebook ({type(exc).__name__}: {exc})") from None
