from django.urls import path

from . import staff_views

app_name = "tipline"

urlpatterns = [
    path("cases/", staff_views.case_list, name="case_list"),
    path("cases/<int:case_id>/", staff_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/reply/", staff_views.case_reply, name="case_reply"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        staff_views.attachment_download,
        name="attachment_download",
    ),
    path("schools/<slug:slug>/poster/", staff_views.school_poster, name="school_poster"),
    path("schools/<slug:slug>/qr.svg", staff_views.school_qr_code, name="school_qr_code"),
]
