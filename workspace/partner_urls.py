"""The partner's pages, reached by a shared case's link (no staff login)."""

from django.urls import path

from workspace.views import partner

app_name = "partner"

urlpatterns = [
    path("<str:token>/", partner.partner_open, name="open"),
    path("<str:token>/code/", partner.partner_code_send, name="code_send"),
    path("<str:token>/verify/", partner.partner_verify, name="verify"),
    path("<str:token>/notes/", partner.partner_note, name="note"),
    path("<str:token>/files/<int:attachment_id>/", partner.partner_file, name="file"),
]
