"""``manage.py score_posts``: score JSON lines from stdin, write JSON lines to stdout.

Contract (docs/architecture.md, "The scorer's contract"; outside tools depend on it):

    in:  {"id": "...", "text": "..."}                       one object a line
    out: {"id", "score", "severity", "categories", "alert", "matches"}   same order

* Streams line by line: memory stays flat whatever the input size.
* Needs no database and runs no system checks: it never touches the ORM.
* A bad line (not JSON, not an object, no "text", "text" not a string) is reported on
  stderr with its line number, and answered with ``{"id": ..., "error": "..."}`` so output
  line N always answers input line N. Blank lines are skipped (no output line).
* ``matches[].start``/``end`` are offsets in Unicode code points of the input text.
* Exit status is 0 even with bad lines; they are data errors, not command failures.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import DEFAULT_THRESHOLD, Scorer


class Command(BaseCommand):
    help = "Score JSON lines {id, text} from stdin for harm language; JSON lines to stdout."

    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    # call_command(..., stdin=io.StringIO(...)) for tests and in-process callers
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"alert when score >= threshold (0..1, default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--school-term",
            action="append",
            default=[],
            dest="school_terms",
            metavar="TERM",
            help="a school's own word (name, mascot, handle); repeat for several",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError(f"--threshold must be within 0..1, got {threshold}")
        scorer = Scorer(threshold=threshold)
        terms = tuple(options["school_terms"])
        stream = options.get("stdin") or _utf8_stdin()
        bad = 0
        for lineno, line in enumerate(_lines(stream), start=1):
            if not line.strip():
                continue
            record, error = _parse(line)
            if error is not None:
                bad += 1
                self.stderr.write(f"score_posts: line {lineno}: {error}")
                out: dict[str, object] = {"id": record.get("id"), "error": error}
            else:
                result = scorer.score(record["text"], school_terms=terms)
                out = result.to_dict(id=record.get("id"))
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        if bad:
            self.stderr.write(f"score_posts: {bad} bad line(s) answered with an error")


def _utf8_stdin() -> Iterable[str]:
    # Posts are UTF-8 whatever the locale; undecodable bytes must not kill the stream.
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def _lines(stream: Iterable[str]) -> Iterable[str]:
    for line in stream:  # iterating a file reads one line at a time
        yield line.rstrip("\r\n")


def _parse(line: str) -> tuple[dict[str, Any], str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {}, f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return {}, f"expected a JSON object, got {type(record).__name__}"
    if "text" not in record:
        return record, 'missing "text"'
    if not isinstance(record["text"], str):
        return record, f'"text" must be a string, got {type(record["text"]).__name__}'
    return record, None
