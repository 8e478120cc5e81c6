"""Text from pictures of text: scanned PDF pages and image files, read on the CPU, offline, by
Tesseract (Debian's `tesseract-ocr`, installed like chromium by `make`).

Tesseract rather than a Python OCR package: the packages that ship their models need OpenCV,
whose default wheel fails to import on a machine without desktop libraries (libGL), while
Tesseract is one Debian package with its English model, and reads clean scans well (95%+ of the
words of a rendered report page, `tests/test_ocr.py`). The loaders call `page_text` per page
with OCR on for this read (`enabled`), and `page_done` after each, which lets the reading
process give each page its own time budget."""

from __future__ import annotations

import contextlib
import contextvars
import io
import shutil
import subprocess
from collections.abc import Callable, Iterator

from ..errors import LoadError

# Set for the duration of one file's read by `reading`.
_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("rag_ocr", default=False)
_PAGE_DONE: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "rag_ocr_page_done", default=None
)
# A page whose text layer has fewer characters than this (a page number, a stray mark) is a
# scan: its images are read instead.
MIN_PAGE_CHARS = 20
_INSTALL = "install Tesseract (apt-get install tesseract-ocr), or set RAG_OCR=0 to skip such files"


@contextlib.contextmanager
def reading(enabled: bool, page_done: Callable[[], None] | None = None) -> Iterator[None]:
    """OCR on or off, and who to tell after each page read, while one file is read."""
    enabled_token = _ENABLED.set(enabled)
    done_token = _PAGE_DONE.set(page_done)
    try:
        yield
    finally:
        _ENABLED.reset(enabled_token)
        _PAGE_DONE.reset(done_token)


def enabled() -> bool:
    return _ENABLED.get()


def installed() -> bool:
    return shutil.which("tesseract") is not None


def unavailable() -> str:
    """Why OCR did not read a scan, as a clause for an error message ("" when it could have)."""
    if not enabled():
        return ", and OCR is off (RAG_OCR=0): set RAG_OCR=1 to read them"
    if not installed():
        return f"; reading them needs OCR: {_INSTALL}"
    return ", and OCR found no text in them"


def require() -> None:
    """LoadError unless OCR is on and Tesseract is installed: for files that are only images."""
    if not enabled():
        raise LoadError("it is an image, and OCR is off (RAG_OCR=0): set RAG_OCR=1 to read it")
    if not installed():
        raise LoadError(f"reading text from images needs OCR: {_INSTALL}")


def image_text(image: object) -> str:
    """The text Tesseract reads in `image` (a PIL image)."""
    require()
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")  # type: ignore[attr-defined]
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LoadError(f"OCR failed ({message[-1] if message else done.returncode})")
    page_done = _PAGE_DONE.get()
    if page_done is not None:
        page_done()
    return done.stdout.decode("utf-8", "replace")
