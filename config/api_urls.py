"""The staff API under /api/v1/, its OpenAPI schema and its docs (vendored Swagger UI).

The vendors' push API (POST /api/v1/alerts/posts/, per-Source tokens) keeps its own mount in
config/urls.py; everything here authenticates staff by personal token or browser session.
"""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from summaries import api as summaries
from workspace.api import alerts as api_triage
from workspace.api import cases

from .api import error_body

v1 = [
    path("cases/", cases.CaseList.as_view(), name="case_list"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/tips/", cases.case_tips, name="case_tips"),
    path("cases/<int:case_id>/transition/", cases.case_transition, name="case_transition"),
    path("cases/<int:case_id>/assign/", cases.case_assign_view, name="case_assign"),
    path("cases/<int:case_id>/notes/", cases.case_note, name="case_note"),
    path("cases/<int:case_id>/messages/", cases.case_message, name="case_message"),
    path("cases/<int:case_id>/merge/", cases.case_merge_view, name="case_merge"),
    path("alerts/", api_triage.AlertList.as_view(), name="alert_list"),
    path("alerts/<int:alert_id>/", api_triage.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_id>/dismiss/", api_triage.alert_dismiss, name="alert_dismiss"),
    path("alerts/<int:alert_id>/escalate/", api_triage.alert_escalate, name="alert_escalate"),
    path("alerts/<int:alert_id>/attach/", api_triage.alert_attach, name="alert_attach"),
    path("sources/", api_triage.SourceList.as_view(), name="source_list"),
    path("sources/<int:source_id>/", api_triage.source_detail, name="source_detail"),
    path(
        "sources/<int:source_id>/push-token/",
        api_triage.source_push_token,
        name="source_push_token",
    ),
    path(
        "summaries/schools/<int:school_id>/",
        summaries.school_summary_view,
        name="school_summary",
    ),
    path(
        "summaries/districts/<int:district_id>/",
        summaries.district_summary_view,
        name="district_summary",
    ),
]


@csrf_exempt  # it changes nothing; a POST to a wrong URL is a 404, not a CSRF page
def not_found(request, rest: str = ""):
    """Any other /api/ URL: a 404 in the API's error body, not the HTML page."""
    return JsonResponse(error_body("not_found", "Not found."), status=404)


app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("api/v1/", include(v1)),
    re_path(r"^api/(?P<rest>.*)$", not_found),
]
