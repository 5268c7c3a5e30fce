"""The public grants pages, under the public register (/register/grants/): anyone, without signing in
(portal.middleware lets the /register/ prefix through)."""

from django.urls import path

from . import public_views as views

app_name = "grants"

urlpatterns = [
    path("", views.index, name="index"),
    path("360giving.json", views.json_download, name="json"),
    path("360giving.csv", views.csv_download, name="csv"),
]
