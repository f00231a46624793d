from django.urls import path

from workspace.views import actions, audit, case, home, queues, schools, shares, staff_tips

app_name = "tipline"

urlpatterns = [
    path("", home.my_work, name="home"),
    path("cases/", queues.case_list, name="case_list"),
    path("tips/new/", staff_tips.staff_tip_new, name="staff_tip_new"),
    path("cases/live/", queues.case_list_live, name="case_list_live"),
    path("cases/<int:case_id>/", case.case_detail, name="case_detail"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        case.attachment_download,
        name="attachment_download",
    ),
    path("cases/<int:case_id>/reply/", actions.case_reply, name="case_reply"),
    path("cases/<int:case_id>/status/", actions.case_status, name="case_status"),
    path("cases/<int:case_id>/resolve/", actions.case_resolve_view, name="case_resolve"),
    path("cases/<int:case_id>/close/", actions.case_close_view, name="case_close"),
    path("cases/<int:case_id>/reopen/", actions.case_reopen_view, name="case_reopen"),
    path("cases/<int:case_id>/assign/", actions.case_assign_view, name="case_assign"),
    path("cases/<int:case_id>/priority/", actions.case_priority, name="case_priority"),
    path("cases/<int:case_id>/tags/", actions.case_tags, name="case_tags"),
    path("cases/<int:case_id>/notes/", actions.case_note, name="case_note"),
    path(
        "cases/<int:case_id>/acknowledge/",
        actions.case_acknowledge_view,
        name="case_acknowledge",
    ),
    path("cases/<int:case_id>/watch/", actions.case_watch_view, name="case_watch"),
    path("cases/<int:case_id>/unwatch/", actions.case_unwatch_view, name="case_unwatch"),
    path("cases/<int:case_id>/merge/", actions.case_merge_view, name="case_merge"),
    path("cases/<int:case_id>/link/", actions.case_link_view, name="case_link"),
    path("cases/<int:case_id>/share/", shares.case_share_view, name="case_share"),
    path(
        "cases/<int:case_id>/shares/<int:share_id>/revoke/",
        shares.case_share_revoke_view,
        name="case_share_revoke",
    ),
    path("cases/<int:case_id>/audit/", audit.case_audit, name="case_audit"),
    path("cases/<int:case_id>/audit.csv", audit.case_audit_csv, name="case_audit_csv"),
    path("audit.csv", audit.district_audit_csv, name="district_audit_csv"),
    path("schools/<slug:slug>/poster/", schools.school_poster, name="school_poster"),
    path("schools/<slug:slug>/qr.svg", schools.school_qr_code, name="school_qr_code"),
]
