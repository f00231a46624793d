"""Twilio's voice webhooks, under /voice/ (the paths the README tells admins to enter at
Twilio: a number's "A call comes in" is /voice/twilio/inbound/; the rest are named in the
TwiML the call is answered with)."""

from django.urls import path

from . import voice_views

app_name = "voice"

urlpatterns = [
    path("twilio/inbound/", voice_views.twilio_inbound, name="inbound"),
    path("twilio/language/", voice_views.twilio_language, name="language"),
    path("twilio/school/", voice_views.twilio_school, name="school"),
    path("twilio/menu/", voice_views.twilio_menu, name="menu"),
    path("twilio/dialed/", voice_views.twilio_dialed, name="dialed"),
    path("twilio/record/", voice_views.twilio_record, name="record"),
    path("twilio/recorded/", voice_views.twilio_recorded, name="recorded"),
    path("twilio/code/", voice_views.twilio_code, name="code"),
    path(
        "twilio/recording-status/",
        voice_views.twilio_recording_status,
        name="recording-status",
    ),
]
