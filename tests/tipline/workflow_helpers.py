"""Cases for the workflow, SLA, call-down, merge, retention and audit tests."""

from cases.models import Case, Category, Channel
from tipline.services.tips import tip_create


def open_case(
    school, *, category: str = Category.BULLYING, body: str = "tip text", **extra
) -> Case:
    """A case opened by a web tip (the call-down is not started: no commit callbacks run)."""
    tip = tip_create(school=school, channel=Channel.WEB, category=category, body=body, **extra)
    return Case.objects.get(id=tip.case_id)
