from django.urls import path

from .views import alerts as views

app_name = "alerts"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("sources/", views.sources, name="sources"),
    path("triage-export/", views.triage_export, name="triage_export"),
    path("bulk-dismiss/", views.alerts_bulk_dismiss, name="bulk_dismiss"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/dismiss/", views.alert_dismiss, name="dismiss"),
    path("<int:alert_id>/escalate/", views.alert_escalate, name="escalate"),
    path("<int:alert_id>/attach/", views.alert_attach, name="attach"),
]
