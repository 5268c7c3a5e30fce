from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.index, name="index"),
    path("funding/funds/", views.fund_list, name="funds"),
    path("funding/funds/new/", views.fund_create, name="fund-create"),
    path("funding/funds/<int:pk>/", views.fund_detail, name="fund"),
    path("funding/funds/<int:pk>/awards.<str:fmt>", views.fund_export, name="fund-export"),
    path("funding/funds/<int:pk>/income/", views.income_record, name="income-record"),
    path("funding/funds/<int:pk>/rounds/new/", views.round_create, name="round-create"),
    path("funding/rounds/", views.round_list, name="rounds"),
    path("funding/rounds/<int:pk>/", views.round_detail, name="round"),
    path("funding/rounds/<int:pk>/open/", views.round_open, name="round-open"),
    path("funding/rounds/<int:pk>/assess/", views.round_assess, name="round-assess"),
    path("funding/rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path("funding/rounds/<int:pk>/apply/", views.application_draft, name="application-draft"),
    path("funding/rounds/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("funding/rounds/<int:pk>/moderation.<str:fmt>", views.moderation_export, name="moderation-export"),
    path("funding/applications/", views.application_list, name="applications"),
    path("funding/applications/<int:pk>/", views.application_detail, name="application"),
    path("funding/applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("funding/applications/<int:pk>/documents/", views.application_documents, name="application-documents"),
    path(
        "funding/applications/<int:pk>/documents/<int:attachment_id>/",
        views.application_attachment,
        name="application-attachment",
    ),
    path("funding/applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("funding/applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("funding/applications/<int:pk>/assess/", views.application_assess, name="application-assess"),
    path("funding/applications/<int:pk>/conflict/", views.application_conflict, name="application-conflict"),
    path("funding/applications/<int:pk>/award/", views.application_award, name="application-award"),
    path("funding/applications/<int:pk>/decline/", views.application_decline, name="application-decline"),
    path("funding/awards/", views.award_list, name="awards"),
    path("funding/awards.<str:fmt>", views.award_export, name="award-export"),
    path("funding/awards/<int:pk>/", views.award_detail, name="award"),
    path("funding/awards/<int:pk>/cancel/", views.award_cancel, name="award-cancel"),
    path("funding/awards/<int:pk>/instalments/<int:instalment_id>/pay/", views.instalment_pay, name="instalment-pay"),
    path("funding/awards/<int:pk>/returns/<int:return_id>/", views.spend_return, name="spend-return"),
    path("funding/programmes/", views.programme_list, name="programmes"),
    path("funding/programmes/new/", views.programme_create, name="programme-create"),
    path("funding/programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("funding/applicants/", views.organisation_list, name="organisations"),
    path("funding/applicants/new/", views.organisation_register, name="organisation-register"),
]
