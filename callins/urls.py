from django.urls import path

from . import views

app_name = "callins"

urlpatterns = [
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/new/", views.decision_log, name="decision-log"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/take-effect/", views.decision_take_effect, name="decision-take-effect"),
    path("decisions/<int:pk>/waive/", views.decision_waive, name="decision-waive"),
    path("decisions/<int:pk>/outcome/", views.decision_outcome, name="decision-outcome"),
    path("decisions/<int:pk>/call-in/", views.callin_draft, name="callin-draft"),
    path("call-ins/", views.callin_list, name="callins"),
    path("call-ins/grounds/", views.grounds, name="grounds"),
    path("call-ins/<int:pk>/", views.callin_detail, name="callin"),
    path("call-ins/<int:pk>/edit/", views.callin_edit, name="callin-edit"),
    path("call-ins/<int:pk>/issue/", views.callin_issue, name="callin-issue"),
    path("call-ins/<int:pk>/discard/", views.callin_discard, name="callin-discard"),
    path("call-ins/<int:pk>/respond/", views.callin_respond, name="callin-respond"),
    path("call-ins/<int:pk>/submit/", views.callin_submit, name="callin-submit"),
    path("call-ins/<int:pk>/determine/", views.callin_determine, name="callin-determine"),
    path("call-ins/<int:pk>/withdraw/", views.callin_withdraw, name="callin-withdraw"),
    path("call-ins/<int:pk>/documents/<int:attachment_id>/", views.callin_attachment, name="callin-attachment"),
    path("pcc-decisions/", views.pcc_decision_list, name="pcc-decisions"),
    path("pcc-decisions/new/", views.pcc_decision_draft, name="pcc-decision-draft"),
    path("pcc-decisions/<int:pk>/", views.pcc_decision_detail, name="pcc-decision"),
    path("pcc-decisions/<int:pk>/edit/", views.pcc_decision_edit, name="pcc-decision-edit"),
    path("pcc-decisions/<int:pk>/sign/", views.pcc_decision_sign, name="pcc-decision-sign"),
    path("appointments/", views.appointment_list, name="appointments"),
    path("appointments/new/", views.appointment_open, name="appointment-open"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/shortlist/", views.appointment_shortlist, name="appointment-shortlist"),
    path("appointments/<int:pk>/consult/", views.appointment_consult, name="appointment-consult"),
    path("appointments/<int:pk>/view/", views.appointment_view, name="appointment-view"),
    path("appointments/<int:pk>/appoint/", views.appointment_appoint, name="appointment-appoint"),
    path("appointments/<int:pk>/withdraw/", views.appointment_withdraw, name="appointment-withdraw"),
]
