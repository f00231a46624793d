"""Non-text contrast (WCAG 2.1, 1.4.11), measured in the browser: every form control's border
and every focus indicator stands at 3:1 or more against the colour behind it. axe does not
check these, so the computed styles are read here: text fields, selects, radios and
checkboxes on the case page and the public tip form, and the focus ring of everything the Tab
key reaches."""

import pytest

from tests.e2e.staff import sign_in
from tests.factories import SchoolFactory, case_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
MINIMUM = 3.0
TAB_STOPS = 40

# Relative luminance and contrast as WCAG defines them; the background is the first opaque
# one up the tree (white at the top).
CONTRAST_JS = """
window.__contrast = (() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      const opaque = colour.length === 3 || (colour.length === 4 && colour[3] > 0.5);
      if (opaque) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const describe = (element) =>
    element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (element.type ? "[" + element.type + "]" : "");
  return {
    borders() {
      const controls = document.querySelectorAll(".form-control, .form-select, .form-check-input");
      return Array.from(controls).filter((e) => e.offsetParent !== null).map((element) => {
        const style = getComputedStyle(element);
        return [describe(element), ratio(rgb(style.borderTopColor).slice(0, 3), behind(element))];
      });
    },
    focus() {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const width = parseFloat(style.outlineWidth) || 0;
      const visible = style.outlineStyle !== "none" && width >= 2;
      const contrast = visible ? ratio(rgb(style.outlineColor).slice(0, 3), behind(element)) : 0;
      return [describe(element), contrast];
    },
  };
})();
"""


def _low_contrast(page) -> dict:
    """Controls whose border, and Tab stops whose focus ring, fall under 3:1."""
    page.evaluate(CONTRAST_JS)
    borders = page.evaluate("() => window.__contrast.borders()")
    assert borders, "no form control found: the page under test has changed"
    low = {name: round(value, 2) for name, value in borders if value < MINIMUM}
    page.locator("body").focus()
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => window.__contrast.focus()")
        if focused and focused[1] < MINIMUM:
            low[f"focus {focused[0]}"] = round(focused[1], 2)
    return low


def test_it_keeps_controls_and_focus_at_three_to_one_on_the_case_page(new_context, personas):
    case = case_factory(personas.school_a, body="Placeholder tip", alias="Blue Heron")
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "alice@example.org")
    page.goto(f"/staff/cases/{case.id}/", wait_until="networkidle")
    kinds = page.evaluate(
        "() => Array.from(document.querySelectorAll('.form-check-input, .form-select,"
        " .form-control')).map(e => e.type)"
    )
    assert {"checkbox", "select-one", "textarea"} <= set(kinds)
    assert _low_contrast(page) == {}


def test_it_keeps_controls_and_focus_at_three_to_one_on_the_tip_form(new_context):
    SchoolFactory(name="Lincoln High", slug="lincoln-high")
    page = new_context(viewport=DESKTOP).new_page()
    page.goto("/s/lincoln-high/", wait_until="networkidle")
    kinds = page.evaluate(
        "() => Array.from(document.querySelectorAll('.form-check-input')).map(e => e.type)"
    )
    assert "radio" in kinds
    assert _low_contrast(page) == {}


def test_it_would_see_a_pale_border(new_context):
    """The measure is not blind: Bootstrap's own #dee2e6 border is found below 3:1."""
    SchoolFactory(name="Lincoln High", slug="lincoln-high")
    page = new_context(viewport=DESKTOP, bypass_csp=True).new_page()
    page.goto("/s/lincoln-high/", wait_until="networkidle")
    # Bootstrap eases border-color over .15 s: without `transition: none` the measure could
    # read a colour halfway there.
    page.add_style_tag(
        content=".form-control { border-color: #dee2e6 !important; transition: none !important; }"
    )
    page.evaluate(CONTRAST_JS)
    borders = dict(page.evaluate("() => window.__contrast.borders()"))
    assert any(value < MINIMUM for value in borders.values()), borders
