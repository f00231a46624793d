from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import language_set

from .healthz import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # The language switcher: Django's set_language, which also saves a signed-in staff
    # member's preference (accounts/language.py).
    path("i18n/setlang/", language_set, name="set_language"),
    path("staff/district/", include("workspace.district_urls")),
    path("staff/partners/", include("workspace.partner_staff_urls")),
    path("staff/", include("workspace.urls")),
    path("partner/", include("workspace.partner_urls")),
    path("summaries/", include("summaries.urls")),
    path("sms/", include("tipline.sms_urls")),
    path("voice/", include("tipline.voice_urls")),
    path("alerts/", include("workspace.alert_urls")),
    path("api/v1/alerts/", include("alerts.api_urls")),
    path("", include("config.api_urls")),
    path("", include("tipline.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
