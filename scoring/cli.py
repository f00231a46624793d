"""The ``score_posts`` stream: JSON lines in, one scored JSON line out for each.

Contract (outside tools depend on it; ``manage.py score_posts`` runs exactly this):

    in:  {"id": "...", "text": "..."}                       one object a line
    out: {"id", "score", "severity", "categories", "alert", "matches"}   same order

* Streams line by line: memory stays flat whatever the input size.
* Needs no Django, no database: ``manage.py`` hands ``score_posts`` straight to
  :func:`main` before Django starts, so the command starts in a fraction of a second.
* A bad line (not JSON, not an object, no "text", "text" not a string) is reported on
  stderr with its line number, and answered with ``{"id": ..., "error": "..."}`` so output
  line N always answers input line N. Blank lines are skipped (no output line).
* ``matches[].start``/``end`` are offsets in Unicode code points of the input text.
* Exit status is 0 even with bad lines; they are data errors, not command failures.
* ``--model-version`` prints the learned model's version and exits; ``--model PATH``
  scores with another artifact (a re-trained candidate) instead of the shipped one.
* ``--second-tier`` also runs the second tier (``scoring.second_tier``: sentence
  embeddings) on the candidates, the texts the first tier scores "low" or above, reading
  the stream in blocks of ``SECOND_TIER_BLOCK`` lines so that candidates are embedded in
  batches; output order and the error lines are unchanged. Opt-in: it runs at a few
  hundred posts/s, not thousands (docs/scorer.md). If it cannot run here (the model
  package is not installed), a line on stderr says so and the first tier scores alone.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from .scorer import CATEGORIES, DEFAULT_THRESHOLD, Scorer, ScoreResult

# Lines read before the second tier embeds the candidates among them in one batch.
SECOND_TIER_BLOCK = 256
# One encoder for the stream: json.dumps(..., ensure_ascii=False) builds a new one a line.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# What that encoder writes for a string (ensure_ascii=False) and a float.
_STRING = json.encoder.encode_basestring
_FLOAT = float.__repr__
_CATEGORY_KEYS = tuple(f"{_STRING(c)}: " for c in CATEGORIES)

__all__ = ["build_parser", "main", "score_stream", "second_tier_or_none"]


def build_parser(prog: str = "score_posts") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Score JSON lines {id, text} from stdin for harm language; "
        "JSON lines to stdout.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: Any) -> None:
    """The options, shared with the Django management command."""
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
    parser.add_argument("--model", default=None, help="a model artifact instead of the shipped one")
    parser.add_argument(
        "--model-version", action="store_true", help="print the model's version and exit"
    )
    parser.add_argument(
        "--second-tier",
        action="store_true",
        help="re-read the candidates (score >= 0.2) with sentence embeddings (slower)",
    )


def score_stream(
    scorer: Scorer,
    lines: Iterable[str],
    out: TextIO,
    err: TextIO,
    *,
    school_terms: Sequence[str] = (),
    second_tier: Any = None,
) -> int:
    """Score every line of ``lines`` to ``out``; returns how many lines were bad.
    ``second_tier``: a :class:`scoring.second_tier.SecondTier` to re-read candidates."""
    if second_tier is not None:
        bad = _score_blocks(scorer, second_tier, lines, out, err, school_terms=school_terms)
    else:
        bad = 0
        write = out.write
        for record, error in _records(lines, err):
            if error is None:
                write(_line(scorer.score(record["text"], school_terms=school_terms), record))
            else:
                bad += 1
                write(_ENCODE({"id": record.get("id"), "error": error}) + "\n")
    if bad:
        err.write(f"score_posts: {bad} bad line(s) answered with an error\n")
    return bad


def _line(result: ScoreResult, record: dict[str, Any]) -> str:
    """``_ENCODE(result.to_dict(id=record.get("id"))) + "\n"``, the same characters (tests
    compare them on every committed text), written without the dictionaries between."""
    categories = result.categories
    if not all(map(math.isfinite, categories.values())):  # never (sigmoids): JSON's NaN
        return _ENCODE(result.to_dict(id=record.get("id"))) + "\n"
    scores = ", ".join(
        [
            key + _FLOAT(round(categories[c], 4))
            for key, c in zip(_CATEGORY_KEYS, CATEGORIES, strict=True)
        ]
    )
    matches = ", ".join(
        [
            f'{{"category": {_STRING(m.category)}, "phrase": {_STRING(m.phrase)}, '
            f'"start": {int.__repr__(m.start)}, "end": {int.__repr__(m.end)}}}'
            for m in result.matches
        ]
    )
    id = record.get("id")
    kind = type(id)  # the encoder's text of the common ids, without a call to it
    encoded = _STRING(id) if kind is str else int.__repr__(id) if kind is int else _ENCODE(id)
    return (
        f'{{"id": {encoded}, "score": {_FLOAT(round(result.score, 4))}, '
        f'"severity": {_STRING(result.severity)}, "categories": {{{scores}}}, '
        f'"alert": {"true" if result.alert else "false"}, "matches": [{matches}]}}\n'
    )


def _records(lines: Iterable[str], err: TextIO) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(record, error) of every line that is not blank; a bad line's error goes to ``err``
    with its line number."""
    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        record, error = _parse(line)
        if error is not None:
            err.write(f"score_posts: line {lineno}: {error}\n")
        yield record, error


def _score_blocks(
    scorer: Scorer,
    second_tier: Any,
    lines: Iterable[str],
    out: TextIO,
    err: TextIO,
    *,
    school_terms: Sequence[str],
) -> int:
    """``score_stream`` with the second tier: blocks of lines, candidates in one batch."""
    bad = 0
    block: list[tuple[dict[str, Any], str | None]] = []

    def flush() -> None:
        good = [record for record, error in block if error is None]
        texts = [record["text"] for record in good]
        results = [scorer.score(t, school_terms=school_terms) for t in texts]
        reviewed = iter(second_tier.review(scorer, texts, results))
        for record, error in block:
            if error is None:
                result: dict[str, object] = next(reviewed).to_dict(id=record.get("id"))
            else:
                result = {"id": record.get("id"), "error": error}
            out.write(_ENCODE(result) + "\n")
        block.clear()

    for record, error in _records(lines, err):
        if error is not None:
            bad += 1
        block.append((record, error))
        if len(block) >= SECOND_TIER_BLOCK:
            flush()
    flush()
    return bad


def second_tier_or_none(err: TextIO) -> Any:
    """The second tier, or None (and a line on ``err``) when it cannot run here."""
    from .second_tier import SecondTier, SecondTierUnavailable  # numpy: only when asked

    try:
        return SecondTier()
    except SecondTierUnavailable as exc:
        err.write(f"score_posts: second tier unavailable, first tier only: {exc}\n")
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not 0.0 <= args.threshold <= 1.0:
        sys.stderr.write(f"score_posts: --threshold must be within 0..1, got {args.threshold}\n")
        return 2
    scorer = Scorer(threshold=args.threshold, model_path=args.model)
    second_tier = second_tier_or_none(sys.stderr) if args.second_tier else None
    if args.model_version:
        extra = f" {second_tier.version}" if second_tier is not None else ""
        sys.stdout.write(scorer.model_version + extra + "\n")
        return 0
    # Posts are UTF-8 whatever the locale; undecodable bytes must not kill the stream.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=False)
    try:
        score_stream(
            scorer,
            stdin,
            stdout,
            sys.stderr,
            school_terms=tuple(args.school_terms),
            second_tier=second_tier,
        )
    finally:
        stdout.flush()
    return 0


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
