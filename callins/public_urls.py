"""The public register: anyone, without signing in (portal.middleware lets this namespace through)."""

from django.urls import path

from . import public_views as views

app_name = "register"

urlpatterns = [
    path("", views.index, name="index"),
    path("decisions/", views.pcc_decisions, name="pcc-decisions"),
    path("decisions/<int:year>/<int:number>/", views.pcc_decision, name="pcc-decision"),
    path("call-ins/", views.callins, name="callins"),
    path("call-ins/<str:reference>/", views.callin, name="callin"),
    path("feed/", views.feed, name="feed"),
    path("register.csv", views.csv_export, name="csv"),
]
