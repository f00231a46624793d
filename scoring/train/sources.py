"""The labelled rows the learned tier is trained on, one loader per source.

Contract: ``load_all(data_dir)`` returns a list of :class:`Example`: the source's name, the
text, and one label per head (1 harmful, 0 not, None when the source says nothing about
that head, so the row is left out of that head's training). ``load_extra(path)`` reads
triage exports (JSON lines, see ``docs/scorer.md``) the same way.

How each source's labels map to our heads (the reasons are in docs/scorer.md):

* hatecheck: violence = the two threat functionalities against every other case;
  bullying = hateful cases aimed at "you" and abuse of a named individual
  (``target_indiv_nh``) against the non-hateful contrasts; general hate about a group is
  left out of bullying. self_harm = 0.
* davidson: violence = 0 for the offensive and neither tweets, None for the hate tweets
  (hate speech often calls for violence against a group, and nobody labelled threats
  there), self_harm = 0 (a hate-lexicon sample of tweets, no threat or self-harm label);
  bullying = offensive or hateful tweets addressed to "you" against
  "neither" tweets addressed to "you" too (so that "you" itself is no evidence); the
  tweets that address nobody are left out of bullying.
* openai-moderation: violence = V or V2 or H2 (threatening hate); self_harm = SH;
  bullying = HR (harassment); a missing column is None.
* threatgram: violence = Label 2 (threat) against 1 (calls for punishment) and 0;
  self_harm = 0; bullying = None (political abuse of public figures is not bullying).
* rmhd: self_harm = the suicidewatch subreddit against the 26 others (depression,
  anxiety, guns, teaching, personal finance...); violence = 0, bullying = 0.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "AT_RISK_GROUPS",
    "HEADS",
    "KEYWORD_FLAGGED",
    "SOURCES",
    "Example",
    "load_all",
    "load_extra",
    "ordinary",
]

HEADS: tuple[str, ...] = ("violence", "self_harm", "bullying")
SOURCES: tuple[str, ...] = ("davidson", "hatecheck", "openai", "rmhd", "threatgram")

# "you", "u", "ur", "your", "you're", "yourself" anywhere: the text addresses someone.
_ADDRESSED = re.compile(r"\b(?:you|u|ur|your|youre|you're|yourself|ya|yo)\b", re.IGNORECASE)
# The alert point is set on ordinary posts. The mental-health subreddits stay negatives
# for training (a depression post is not a suicidal one, and ranking must know it) but
# not for the alert point: a counselor shown a post about wanting to die from r/depression
# has not been shown a false alarm.
AT_RISK_GROUPS = frozenset(
    [
        "addiction",
        "adhd",
        "alcoholism",
        "anxiety",
        "autism",
        "bipolarreddit",
        "bpd",
        "depression",
        "edanonymous",
        "foreveralone",
        "healthanxiety",
        "lonely",
        "mentalhealth",
        "ptsd",
        "schizophrenia",
        "socialanxiety",
    ]
)
# What a keyword list flags: the posts whose false alarms made such lists useless. The
# alert point is set on the ordinary posts among them (see scoring.train).
KEYWORD_FLAGGED = re.compile(
    r"\b(?:kill|shoot|shot|stab|gun|bomb|die|dead|death|suicid|murder|knife|hurt|hang)\w*",
    re.IGNORECASE,
)
_HC_BULLY_NEG = ("negate_", "counter_", "ident_", "profanity_nh", "target_obj_nh", "slur_")


@dataclass(frozen=True, slots=True)
class Example:
    source: str
    text: str
    labels: dict[str, int | None] = field(default_factory=dict)
    group: str = ""  # finer origin within a source (subreddit, functionality, class)


def _csv_gz(path: Path) -> Iterable[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def load_hatecheck(root: Path) -> list[Example]:
    out = []
    for r in _csv_gz(root / "hatecheck" / "test_suite_cases.csv.gz"):
        func = r["functionality"]
        threat = func.startswith("threat_")
        hateful = r["label_gold"] == "hateful"
        if func == "target_indiv_nh" or (hateful and _ADDRESSED.search(r["test_case"])):
            bully: int | None = 1
        elif func.startswith(_HC_BULLY_NEG) and not hateful:
            bully = 0
        else:
            bully = None
        labels = {"violence": int(threat), "self_harm": 0, "bullying": bully}
        out.append(Example("hatecheck", r["test_case"].strip(), labels, func))
    return out


def load_davidson(root: Path) -> list[Example]:
    out = []
    for r in _csv_gz(root / "davidson" / "labeled_data.csv.gz"):
        cls = r["class"]
        bully: int | None = None
        if _ADDRESSED.search(r["tweet"]):
            bully = 0 if cls == "2" else 1
        group = {"0": "hate", "1": "offensive"}.get(cls, "neither")
        # Hate speech often calls for violence against a group: not a negative for the
        # violence head (nor a positive: nobody labelled threats), so left out of it.
        violence: int | None = None if group == "hate" else 0
        labels = {"violence": violence, "self_harm": 0, "bullying": bully}
        out.append(Example("davidson", r["tweet"], labels, group))
    return out


def load_openai(root: Path) -> list[Example]:
    out = []
    path = root / "openai-moderation" / "samples-1680.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            cols = ("V", "V2", "H2")
            if all(r.get(c) is None for c in cols):
                violence: int | None = None
            else:
                violence = int(any(r.get(c) == 1 for c in cols))
            labels = {"violence": violence, "self_harm": r.get("SH"), "bullying": r.get("HR")}
            flagged = [k for k in ("S", "H", "V", "HR", "SH", "S3", "H2", "V2") if r.get(k) == 1]
            out.append(Example("openai", r["prompt"], labels, "+".join(flagged) or "none"))
    return out


def load_threatgram(root: Path) -> list[Example]:
    with gzip.open(root / "threatgram" / "Labeled_15076.json.gz", "rt", encoding="utf-8") as f:
        rows = json.load(f)
    out = []
    for r in rows:
        label = int(r["Label"])
        labels = {"violence": int(label == 2), "self_harm": 0, "bullying": None}
        out.append(Example("threatgram", r["reply"], labels, f"label{label}"))
    return out


def load_rmhd(root: Path) -> list[Example]:
    out = []
    for r in _csv_gz(root / "rmhd" / "rmhd_27subreddits_260.csv.gz"):
        sub = r["subreddit"].lower()
        labels = {"violence": 0, "self_harm": int(sub == "suicidewatch"), "bullying": 0}
        out.append(Example("rmhd", r["post"], labels, sub))
    return out


_LOADERS = {
    "davidson": load_davidson,
    "hatecheck": load_hatecheck,
    "openai": load_openai,
    "rmhd": load_rmhd,
    "threatgram": load_threatgram,
}


def load_all(root: Path) -> list[Example]:
    """Every source's rows, in a fixed order (sources sorted, rows as in the file)."""
    out: list[Example] = []
    for name in SOURCES:
        out.extend(ex for ex in _LOADERS[name](root) if ex.text and ex.text.strip())
    return out


def load_extra(path: Path) -> list[Example]:
    """Rows of a triage export (``alerts:triage_export``, JSON lines): ``{"text",
    "category", "label", ...}``, label 1 when a counselor escalated the alert and 0 when
    they dismissed it as a false positive. The label teaches that category only; the
    other heads learn nothing from the row. Weapons rows are skipped: the rules alone
    score weapons."""
    out = []
    text = path.read_text(encoding="utf-8")
    for lineno, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        category, label = row.get("category"), row.get("label")
        if category == "weapons":
            continue
        if category not in HEADS or label not in (0, 1) or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{lineno}: expected text, category in {HEADS}, label 0/1")
        labels: dict[str, int | None] = dict.fromkeys(HEADS)
        labels[category] = label
        out.append(Example("triage", row["text"], labels, category))
    return out


def ordinary(row: Example) -> bool:
    """A post of the pools that should almost never alert, whatever the head: profanity
    and insults that are not threats (Davidson's offensive and neither tweets), replies
    that threaten nobody (ThreatGram labels 0 and 1), moderation samples flagged for
    nothing, and Reddit outside the mental-health subreddits (see AT_RISK_GROUPS)."""
    if row.source == "davidson":
        return row.group in ("offensive", "neither")
    if row.source == "threatgram":
        return row.group in ("label0", "label1")
    if row.source == "openai":
        return row.group == "none"
    if row.source == "rmhd":
        return row.group not in AT_RISK_GROUPS and row.group != "suicidewatch"
    return False
