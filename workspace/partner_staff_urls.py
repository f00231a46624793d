"""District admins' partner agencies and their contacts, under /staff/partners/."""

from django.urls import path

from workspace.views import partners_admin

app_name = "partners_staff"

urlpatterns = [
    path("", partners_admin.partner_list, name="list"),
    path("<int:agency_id>/", partners_admin.partner_detail, name="detail"),
    path("<int:agency_id>/active/", partners_admin.partner_active, name="agency_active"),
    path(
        "<int:agency_id>/contacts/<int:contact_id>/active/",
        partners_admin.contact_active,
        name="contact_active",
    ),
]
