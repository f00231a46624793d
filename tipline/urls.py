from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("schools/search/", views.school_search, name="school_search"),
    path("s/<slug:slug>/", views.tip_form, name="tip_form"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/saved/", views.receipt_saved, name="receipt_saved"),
    path("followup/", views.followup, name="followup"),
    path("followup/thread/", views.followup_thread, name="followup_thread"),
    path("followup/leave/", views.followup_leave, name="followup_leave"),
    path("privacy/", views.privacy, name="privacy"),
    path("too-large/", views.upload_too_large, name="upload_too_large"),
]
