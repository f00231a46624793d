"""Run axe-core (vendored, tests/e2e/vendor/axe.min.js) in a Playwright page."""

from pathlib import Path

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SOURCE = AXE_SCRIPT.read_text(encoding="utf-8")
BLOCKING_IMPACTS = ("serious", "critical")


def serious_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations of serious or critical impact on the current page."""
    # evaluate() runs over the DevTools protocol, so our Content-Security-Policy (which
    # rightly refuses injected inline scripts) stays on for the page under test.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
