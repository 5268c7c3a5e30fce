from django.urls import path

from . import accountability_views, views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    # NOTE: before the partner page's route, which would take "accountability" for a slug.
    path("partners/accountability/", accountability_views.accountability_overview, name="accountability"),
    path("partners/<slug:slug>/", views.partner_detail, name="detail"),
    path(
        "partners/<slug:slug>/accountability/",
        accountability_views.partner_accountability,
        name="partner-accountability",
    ),
    path("account/", views.my_account, name="my-account"),
    path("sharing-agreements/", views.dsa_list, name="dsa-list"),
    path("sharing-agreements/new/", views.dsa_create, name="dsa-create"),
    path("sharing-agreements/who-shares-what/", views.dsa_matrix, name="dsa-matrix"),
    path("sharing-agreements/<int:pk>/", views.dsa_detail, name="dsa-detail"),
    path("sharing-agreements/<int:pk>/edit/", views.dsa_edit, name="dsa-edit"),
    path("sharing-agreements/<int:pk>/send/", views.dsa_send, name="dsa-send"),
    path("sharing-agreements/<int:pk>/delete/", views.dsa_delete, name="dsa-delete"),
    path("sharing-agreements/<int:pk>/sign/", views.dsa_sign, name="dsa-sign"),
    path("sharing-agreements/<int:pk>/suspend/", views.dsa_suspend, name="dsa-suspend"),
    path("sharing-agreements/<int:pk>/resume/", views.dsa_resume, name="dsa-resume"),
    path("sharing-agreements/<int:pk>/revoke/", views.dsa_revoke, name="dsa-revoke"),
    path("api-tokens/", views.tokens, name="tokens"),
    path("api-tokens/new/", views.token_create, name="token-create"),
    path("api-tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
