"""Twilio's webhooks, under /sms/ (the paths the README tells admins to enter at Twilio)."""

from django.urls import path

from . import sms_views

app_name = "sms"

urlpatterns = [
    path("twilio/inbound/", sms_views.twilio_inbound, name="twilio-inbound"),
    path("twilio/status/<int:message_id>/", sms_views.twilio_status, name="twilio-status"),
]
