"""Spanish is complete for staff: every string staff can see has a Spanish translation.

The catalogue (locale/es/LC_MESSAGES/django.po) may hold no empty and no fuzzy entry, and
every string marked for translation in the staff side (the templates and Python modules of
accounts, cases, workspace and summaries, and the shared base template), and on the public
side too (tipline, alerts), must be in it. A
string added without its Spanish fails here, before an English sentence turns up on a
Spanish-speaking counselor's page, email or text. The compiled .mo must match the .po.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "locale" / "es" / "LC_MESSAGES" / "django.po"
STAFF_APPS = ("accounts", "cases", "workspace", "summaries", "config")
PUBLIC_APPS = ("tipline", "alerts")
# name -> position of the msgid among the call's string arguments
GETTEXT_CALLS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
}


def _unquote(token: str) -> str:
    return ast.literal_eval(token)


def po_entries(path: Path = PO) -> list[dict]:
    """The catalogue's entries: msgid, msgid_plural, msgstr(s), flags, obsolete or not."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgid": None, "plural": None, "msgstr": [], "flags": "", "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = "ctx"
        elif line.startswith("msgid_plural "):
            entry["plural"], field = _unquote(line[13:]), "plural"
        elif line.startswith("msgid "):
            entry["msgid"], field = _unquote(line[6:]), "msgid"
        elif line.startswith("msgstr"):
            entry["msgstr"].append(_unquote(line.split(" ", 1)[1]))
            field = "msgstr"
        elif line.startswith('"') and field == "msgstr":
            entry["msgstr"][-1] += _unquote(line)
        elif line.startswith('"') and field in ("msgid", "plural"):
            entry[field] += _unquote(line)
    if entry:
        entries.append(entry)
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def marked_strings(source: str) -> set[str]:
    """The msgids of the gettext calls in Python source (or a templatized template)."""
    found: set[str] = set()
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in GETTEXT_CALLS:
            continue
        if index + 1 >= len(tokens) or tokens[index + 1].string != "(":
            continue
        if index and tokens[index - 1].string in (".", "def"):
            continue
        arguments, current, depth = [], [], 0
        for inner in tokens[index + 2 :]:
            if inner.string in "([{" and inner.type == tokenize.OP:
                depth += 1
            elif inner.string in ")]}" and inner.type == tokenize.OP:
                if depth == 0:
                    arguments.append(current)
                    break
                depth -= 1
            elif inner.string == "," and depth == 0:
                arguments.append(current)
                current = []
                continue
            current.append(inner)
        position = GETTEXT_CALLS[token.string]
        if len(arguments) <= position:
            continue
        argument = [t for t in arguments[position] if t.type not in (tokenize.NL, tokenize.COMMENT)]
        if argument and all(t.type == tokenize.STRING for t in argument):
            if any(t.string.lstrip("rRbBuU").startswith(("f", "F")) for t in argument):
                continue
            found.add("".join(_unquote(t.string) for t in argument))
    return found


def staff_msgids() -> dict[str, Path]:
    """Every string marked for translation in the apps (staff and public), with a file that
    uses it."""
    where: dict[str, Path] = {}
    files = []
    for app in (*STAFF_APPS, *PUBLIC_APPS):
        files += sorted((REPO / app).rglob("*.html")) + sorted((REPO / app).rglob("*.txt"))
        files += [
            path for path in sorted((REPO / app).rglob("*.py")) if "migrations" not in path.parts
        ]
    for path in files:
        source = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # Django's own extraction (as makemessages does it), flattened for the tokenizer.
            source = templatize(source, origin=str(path))
            source = "\n".join(line.strip() for line in source.splitlines())
        for msgid in marked_strings(source):
            where.setdefault(msgid, path.relative_to(REPO))
    return where


def test_it_has_no_empty_and_no_fuzzy_spanish_entry():
    entries = po_entries()
    assert len(entries) > 700
    empty = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert empty == []
    assert fuzzy == []


def test_it_translates_every_string_staff_can_see():
    translated = {e["msgid"] for e in po_entries() if e["msgstr"] and all(e["msgstr"])}
    wanted = staff_msgids()
    # The scan finds the strings it must (a blocktranslate, a lazy label, a notice text).
    assert {"Welcome, %(name)s", "Life safety", "New tip for %(school)s"} <= set(wanted)
    missing = {msgid: str(path) for msgid, path in wanted.items() if msgid not in translated}
    assert missing == {}


@pytest.mark.parametrize(
    "english, spanish",
    [
        ("Life safety", "Riesgo vital"),
        ("Weapon", "Arma"),
        ("Your settings", "Su configuración"),
        ("New tip for %(school)s", "Aviso nuevo para %(school)s"),
    ],
)
def test_it_serves_the_compiled_catalogue(english, spanish):
    """The .mo in the repository is compiled from this .po (compilemessages was run)."""
    with translation.override("es"):
        assert translation.gettext(english) == spanish
