from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.index, name="index"),
    path("funding/applications/<int:pk>/", views.application_detail, name="application"),
    path("funding/awards/<int:pk>/", views.award_detail, name="award"),
]
