from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/<slug:slug>/", views.partner_detail, name="detail"),
    path("account/", views.my_account, name="my-account"),
]
