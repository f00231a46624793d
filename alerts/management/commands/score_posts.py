"""``manage.py score_posts``: score JSON lines from stdin, write JSON lines to stdout.

The stream and its contract live in ``scoring.cli`` (pure Python). ``manage.py`` runs
``score_posts`` through ``scoring.cli.main`` before Django starts, so evaluation tools
do not pay for Django's start-up; this command is the same stream for in-process
callers (``call_command("score_posts", stdin=...)``) and for ``django-admin``.
It needs no database and runs no system checks: it never touches the ORM.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import Scorer
from scoring.cli import add_arguments, score_stream, second_tier_or_none


class Command(BaseCommand):
    help = "Score JSON lines {id, text} from stdin for harm language; JSON lines to stdout."

    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    # call_command(..., stdin=io.StringIO(...)) for tests and in-process callers
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError(f"--threshold must be within 0..1, got {threshold}")
        scorer = Scorer(threshold=threshold, model_path=options["model"])
        second_tier = None
        if options["second_tier"]:
            second_tier = second_tier_or_none(_Lines(self.stderr))
        if options["model_version"]:
            extra = f" {second_tier.version}" if second_tier is not None else ""
            self.stdout.write(scorer.model_version + extra)
            return
        stream = options.get("stdin") or _utf8_stdin()
        # OutputWrapper adds the line ending itself: hand it lines without one.
        score_stream(
            scorer,
            stream,
            _Lines(self.stdout),
            _Lines(self.stderr),
            school_terms=tuple(options["school_terms"]),
            second_tier=second_tier,
        )


class _Lines:
    """A text sink that forwards whole lines to a management command's OutputWrapper."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text.rstrip("\n"))


def _utf8_stdin() -> Iterable[str]:
    # Posts are UTF-8 whatever the locale; undecodable bytes must not kill the stream.
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")
