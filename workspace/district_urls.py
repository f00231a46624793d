from django.urls import path

from .views import district, district_settings

app_name = "district"

urlpatterns = [
    path("", district.district_home, name="home"),
    path("<int:district_id>/", district.overview, name="overview"),
    path("<int:district_id>/staff/", district.staff_list, name="staff"),
    path("<int:district_id>/staff/invite/", district.staff_invite_view, name="staff_invite"),
    path("<int:district_id>/staff/<int:user_id>/", district.staff_edit, name="staff_edit"),
    path(
        "<int:district_id>/staff/<int:user_id>/active/",
        district.staff_active,
        name="staff_active",
    ),
    path(
        "<int:district_id>/staff/<int:user_id>/invite-again/",
        district.staff_invite_again,
        name="staff_invite_again",
    ),
    path("<int:district_id>/on-call/", district_settings.on_call, name="on_call"),
    path(
        "<int:district_id>/on-call/schools/<int:school_id>/add/",
        district_settings.on_call_add_view,
        name="on_call_add",
    ),
    path(
        "<int:district_id>/on-call/<int:contact_id>/move/",
        district_settings.on_call_move_view,
        name="on_call_move",
    ),
    path(
        "<int:district_id>/on-call/<int:contact_id>/remove/",
        district_settings.on_call_remove_view,
        name="on_call_remove",
    ),
    path("<int:district_id>/numbers/", district_settings.numbers, name="numbers"),
    path(
        "<int:district_id>/numbers/<int:number_id>/remove/",
        district_settings.number_remove,
        name="number_remove",
    ),
    path("<int:district_id>/sources/", district_settings.sources, name="sources"),
    path("<int:district_id>/sources/new/", district_settings.source_new, name="source_new"),
    path(
        "<int:district_id>/sources/<int:source_id>/rotate/",
        district_settings.source_rotate,
        name="source_rotate",
    ),
    path(
        "<int:district_id>/sources/<int:source_id>/enabled/",
        district_settings.source_enabled,
        name="source_enabled",
    ),
    path("<int:district_id>/policy/", district_settings.policy, name="policy"),
    path(
        "<int:district_id>/schools/<int:school_id>/hours/",
        district_settings.school_hours,
        name="school_hours",
    ),
    path("<int:district_id>/changes/", district.changes, name="changes"),
]
