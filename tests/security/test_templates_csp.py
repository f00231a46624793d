"""No template carries what the Content-Security-Policy refuses: a style attribute, an inline
<script> or <style> element, or an inline event handler. The browser sweeps
(tests/e2e/test_staff_pages_axe.py, tests/security/test_csp_browser.py) catch these on the
pages they open; this catches them in every template, opened or not."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [p for p in REPO.glob("*/templates") if ".venv" not in p.parts]
TEMPLATE_DIRS += [p for p in REPO.glob("*/*/templates") if ".venv" not in p.parts]
REFUSED = {
    "style attribute": re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "event handler": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S),
}
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)


def _templates() -> list[Path]:
    return sorted({path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")})


def test_it_finds_the_templates():
    names = {path.name for path in _templates()}
    assert {"base.html", "case_detail.html", "_case_workspace.html", "annual.html"} <= names


def test_it_finds_nothing_the_policy_refuses_in_any_template():
    found = []
    for path in _templates():
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for what, pattern in REFUSED.items():
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(REPO)}: {what}: {match.group(0)[:80]!r}")
    assert found == []


def test_it_would_see_a_style_attribute():
    assert REFUSED["style attribute"].search('<form method="post" style="max-width: 32rem">')
    assert REFUSED["event handler"].search('<button onclick="go()">')
    assert not REFUSED["inline script"].search('<script src="/static/js/case_page.js"></script>')
