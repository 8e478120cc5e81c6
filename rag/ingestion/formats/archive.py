"""Zip-based documents (docx, pptx, xlsx, epub, odt) checked before any reader unpacks them:
zip bombs, entity bombs and encrypted files refused with a message that says so."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ...errors import LoadError

# A part of a zip-based document over _ZIP_RATIO_FROM bytes unpacked that unpacks to over
# _ZIP_MAX_RATIO times its packed size is a zip bomb: real Office XML packs 10-20 to 1 (the
# shared .docx files: at most 19).
_ZIP_MAX_RATIO = 200
_ZIP_RATIO_FROM = 1_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENTITY_MARKERS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def check_archive(path: Path, max_bytes: int) -> None:
    """Refuse a zip-based document (docx and the like) before any reader unpacks it: one that
    unpacks to more than `max_bytes` or far more than real documents compress (a zip bomb), or
    whose XML declares entities (an entity bomb: a few KB that expand to gigabytes;
    Office formats never declare them). The XML is parsed here with defusedxml, which refuses
    both, because the readers after us use the standard library's parser."""
    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    name = path.suffix.lower()
    with path.open("rb") as handle:
        if handle.read(8) == _OLE_MAGIC:  # what Office writes for a password-protected file
            raise LoadError(
                f"this {name} is password-protected (encrypted): remove its password in its app "
                "and ingest again"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > max_bytes:
                raise LoadError(
                    f"{name} unpacks to {unpacked / 1e6:.0f} MB, over the "
                    f"{max_bytes / 1e6:.0f} MB limit (a zip bomb, or raise RAG_MAX_FILE_MB)"
                )
            for info in members:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > _ZIP_RATIO_FROM and ratio > _ZIP_MAX_RATIO:
                    raise LoadError(
                        f"{name} part {info.filename} unpacks to {ratio:.0f} times its packed "
                        f"size, over the {_ZIP_MAX_RATIO} limit for real documents (a zip bomb)"
                    )
            names = {info.filename for info in members}
            manifest = "META-INF/manifest.xml"  # OpenDocument's list of parts
            if "META-INF/encryption.xml" in names or (
                manifest in names and b"encryption-data" in archive.read(manifest)
            ):
                raise LoadError(
                    f"this {name} is password-protected or DRM-encrypted: save an unprotected "
                    "copy and ingest that"
                )
            for info in members:
                part = info.filename.lower()
                if part.endswith((".xml", ".rels", ".opf", ".ncx")):
                    try:
                        defusedxml.ElementTree.fromstring(archive.read(info))
                    except DefusedXmlException:
                        raise LoadError(_entities(name, info.filename)) from None
                    except defusedxml.ElementTree.ParseError as exc:
                        raise LoadError(
                            f"not a valid {name}: its part {info.filename} is not XML ({exc})"
                        ) from None
                elif part.endswith((".xhtml", ".html", ".htm", ".svg")):
                    # E-book pages need not be well-formed XML, so they are not parsed here,
                    # only searched for an entity declaration (in either byte order of UTF-16 too).
                    data = archive.read(info)
                    if any(marker in data for marker in _ENTITY_MARKERS):
                        raise LoadError(_entities(name, info.filename))
    except zipfile.BadZipFile:
        raise LoadError(
            f"not a valid {name} (it is not a zip archive); re-save it from its app"
        ) from None


def _entities(name: str, part: str) -> str:
    return (
        f"{name} part {part} declares XML entities, which real documents never do (an entity "
        "bomb?); re-save it from its app"
    )
