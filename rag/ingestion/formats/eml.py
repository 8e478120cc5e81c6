"""E-mail messages (.eml): the headers people ask about, then the body."""

from __future__ import annotations

from pathlib import Path

from .encoding import decode_text
from .html import html_text


def read(path: Path, max_bytes: int) -> list[str]:
    """The headers people ask about (from, to, date, subject), then the body: its plain-text
    part, else its HTML part as text. Attachments are listed by name, not read."""
    from email import policy
    from email.parser import BytesParser

    raw = path.read_bytes()
    decode_text(raw)  # refuses binary data: any bytes parse as some message
    message = BytesParser(policy=policy.default).parsebytes(raw)
    lines = [
        f"{name}: {message[name]}"
        for name in ("From", "To", "Cc", "Date", "Subject")
        if message[name]
    ]
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        lines.append(html_text(content) if body.get_content_type() == "text/html" else content)
    attached = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    if attached:
        lines.append(f"Attachments: {', '.join(attached)}.")
    return ["\n".join(lines)]
