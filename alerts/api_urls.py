from django.urls import path

from . import api

app_name = "alerts_api"

urlpatterns = [
    path("posts/", api.posts_push, name="posts"),
]
