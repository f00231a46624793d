"""Cases for the workspace tests, opened through the real services."""

from cases.models import Case, Category, Channel
from tipline.models import Reporter
from tipline.services.tips import tip_create


def web_case(school, *, category=Category.BULLYING, body="tip text", alias="Blue Heron") -> Case:
    """A case opened by a web tip from its own tipster thread."""
    reporter = Reporter.objects.create(
        channel=Channel.WEB, receipt_code_digest=f"digest-{Reporter.objects.count()}", alias=alias
    )
    tip = tip_create(
        school=school, channel=Channel.WEB, category=category, body=body, reporter=reporter
    )
    return Case.objects.get(id=tip.case_id)


def posted(client, url: str, data: dict | None = None, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data or {}, headers=headers)
