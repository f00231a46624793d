"""Emails and texts printed for people to read (`make run`), apart from the log lines.

Each email or text becomes one framed block: a blank line, a header line naming what it is,
every line of it behind "| ", a closing rule and a blank line. The block is written in one
write call and flushed while holding CONSOLE_LOCK, the lock every log line written through
config.logging.ConsoleLogHandler takes too, so no log line and no other block lands inside it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence
from typing import TextIO

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

CONSOLE_LOCK = threading.RLock()
WIDTH = 78


def console_block(*, kind: str, header: str, lines: Iterable[str]) -> str:
    """The framed text of one email or text, ready to print."""
    title = f"+=== {kind}: {header} "
    body = "".join(f"| {line}".rstrip() + "\n" for line in lines)
    return f"\n{title.ljust(WIDTH, '=')}\n{body}+{'=' * (WIDTH - 1)}\n\n"


def console_block_write(*, stream: TextIO, kind: str, header: str, lines: Iterable[str]) -> None:
    """Print one block in a single write, under the lock log lines take."""
    block = console_block(kind=kind, header=header, lines=lines)
    with CONSOLE_LOCK:
        stream.write(block)
        stream.flush()


def _email_lines(message: EmailMessage) -> list[str]:
    lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
    for name, addresses in (("Cc", message.cc), ("Bcc", message.bcc)):
        if addresses:
            lines.append(f"{name}: {', '.join(addresses)}")
    lines += [f"Subject: {message.subject}", ""]
    lines += str(message.body).splitlines()
    for _content, mimetype in getattr(message, "alternatives", ()):
        lines.append(f"[also as {mimetype}]")
    for attachment in message.attachments:
        name = getattr(attachment, "filename", None) or (
            attachment[0] if isinstance(attachment, tuple) else "attachment"
        )
        lines.append(f"[attachment: {name}]")
    return lines


class EmailBackend(BaseEmailBackend):
    """Django's console email backend, printing each email as a framed block (development)."""

    def __init__(self, *args, stream: TextIO | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            console_block_write(
                stream=self.stream,
                kind="EMAIL",
                header=f"to {', '.join(message.to) or '(bcc only)'}",
                lines=_email_lines(message),
            )
            sent += 1
        return sent
