"""What hostile files cost a sync: a folder of good notes beside every hostile file of issue 20.

    python bench/hostile.py

Reports the seconds each hostile file costs when read (in the child process a sync reads with),
the whole folder's sync time as a ratio to syncing its good notes alone (same process), and the
slowest real document of ../shared/docs, which the per-file time budget must stay well above.
Writes bench/results/hostile.json. The builders are shared with tests/test_hostile_inputs.py.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED, print_table, save  # noqa: E402

# A name that is not valid UTF-8, as old archives and USB sticks have them (Python keeps the
# undecodable byte as a lone surrogate, and writes it back as the same byte).
ODD_NAME = os.fsdecode(b"odd-\xff-name.md")
GOOD_NOTES = {
    "terns.md": "Arctic terns migrate from pole to pole every year.\n",
    ODD_NAME: "Kites fly best in a steady wind of about twenty kilometres an hour.\n",
}
SECRET = "The vault combination is 31-41-59.\n"


def entity_bomb_docx(path: Path, levels: int = 9) -> Path:
    """A .docx whose document.xml declares nested entities (a "billion laughs")."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>&lol{levels};</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", xml)
    return path


def ratio_bomb_docx(path: Path, megabytes: int = 20) -> Path:
    """A .docx whose one part packs ~1000 to 1: within the size limit, far beyond real XML."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * megabytes * 1_000_000)
    return path


def deep_html(path: Path, depth: int = 50_000) -> Path:
    path.write_text(f"<html><body>{'<div>' * depth}deep{'</div>' * depth}</body></html>")
    return path


def one_word_text(path: Path, megabytes: int = 12) -> Path:
    path.write_bytes(b"a" * megabytes * 1_000_000)
    return path


def corrupt_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n" + b"this is not a PDF body " * 20)
    return path


def pdf_bomb(path: Path, megabytes: int = 200) -> Path:
    """A 0.2 MB PDF whose one page's content stream inflates to `megabytes`."""
    data = zlib.compress(b"BT /F1 12 Tf (a) Tj ET " + b" " * megabytes * 1_000_000, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(pdf)
    return path


def build_folder(root: Path, hostile: bool = True) -> Path:
    """`root`/notes holding the good notes and, with `hostile`, every hostile file, plus
    `root`/outside/secret.txt that a link in the notes points at. Returns the notes folder."""
    notes = root / "notes"
    notes.mkdir(parents=True)
    for name, text in GOOD_NOTES.items():
        (notes / name).write_text(text)
    if not hostile:
        return notes
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    entity_bomb_docx(notes / "entity-bomb.docx")
    ratio_bomb_docx(notes / "ratio-bomb.docx")
    deep_html(notes / "deep.html")
    one_word_text(notes / "one-word.txt")
    corrupt_pdf(notes / "corrupt.pdf")
    pdf_bomb(notes / "pdf-bomb.pdf")
    os.mkfifo(notes / "pipe.txt")
    (notes / "zero.txt").symlink_to("/dev/zero")
    (notes / "secret-link.txt").symlink_to(outside / "secret.txt")
    return notes


def _sync_seconds(folder: Path, index: Path) -> tuple[float, object]:
    import rag

    engine = rag.RAG(index=index)
    started = time.perf_counter()
    report = engine.ingest([folder])
    return time.perf_counter() - started, report


def _read_seconds(path: Path, warm_up: Path) -> tuple[float, str]:
    """Seconds `path` takes in a sync's reading process (started and warmed on `warm_up` first,
    so the start is not timed), and what became of it."""
    from rag.errors import LoadError
    from rag.ingestion.reader import Reader

    reader = Reader(timeout_s=600)
    try:
        reader.read(warm_up, str(warm_up), 100_000_000, 800, 150)
        started = time.perf_counter()
        try:
            reader.read(path, str(path), 100_000_000, 800, 150)
            outcome = "read"
        except LoadError as exc:
            outcome = f"refused: {str(exc)[:60]}"
        return time.perf_counter() - started, outcome
    finally:
        reader.close()


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        _sync_seconds(build_folder(scratch / "warm-up", hostile=False), scratch / "i0")  # model
        good_seconds, _ = _sync_seconds(
            build_folder(scratch / "good", hostile=False), scratch / "i1"
        )
        notes = build_folder(scratch / "hostile")
        all_seconds, report = _sync_seconds(notes, scratch / "i2")
        for name in (
            "entity-bomb.docx",
            "ratio-bomb.docx",
            "deep.html",
            "one-word.txt",
            "corrupt.pdf",
        ):
            seconds, outcome = _read_seconds(notes / name, notes / "terns.md")
            rows.append({"file": name, "seconds": seconds, "outcome": outcome})
        real = sorted(
            (
                (_read_seconds(path, notes / "terns.md")[0], path.name)
                for path in sorted((SHARED / "docs").iterdir())
                if path.suffix in {".pdf", ".docx", ".html", ".md"}
            ),
            reverse=True,
        )
    print_table(rows, ["file", "seconds", "outcome"])
    print(
        f"\nsync of the good notes alone: {good_seconds:.2f} s; with every hostile file: "
        f"{all_seconds:.2f} s ({all_seconds / good_seconds:.1f}x); "
        f"{len(report.added)} added, {len(report.failed)} failed, {len(report.skipped)} skipped"
    )
    print(f"slowest real document read: {real[0][1]} in {real[0][0]:.2f} s")
    path = save(
        "hostile",
        {
            "files": rows,
            "good_sync_s": good_seconds,
            "hostile_sync_s": all_seconds,
            "ratio": all_seconds / good_seconds,
            "slowest_real_document": {"file": real[0][1], "seconds": real[0][0]},
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
