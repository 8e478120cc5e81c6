"""Images (PNG, JPEG, TIFF) read by OCR, one page per frame."""

from __future__ import annotations

from pathlib import Path

from ...errors import LoadError
from .. import ocr


def read(path: Path, max_bytes: int) -> list[str]:
    """The text OCR reads in an image file, one page per frame (multi-page TIFF scans)."""
    ocr.require()
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return [ocr.image_text(frame.copy()) for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError:
        raise LoadError(f"not a valid {path.suffix.lower()} image; re-save it") from None
