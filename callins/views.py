"""The PCC's powers' pages (being written)."""

from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


decision_list = _not_yet
decision_log = _not_yet
decision_detail = _not_yet
decision_take_effect = _not_yet
decision_waive = _not_yet
decision_outcome = _not_yet
callin_draft = _not_yet
callin_list = _not_yet
grounds = _not_yet
callin_detail = _not_yet
callin_edit = _not_yet
callin_issue = _not_yet
callin_discard = _not_yet
callin_respond = _not_yet
callin_submit = _not_yet
callin_determine = _not_yet
callin_withdraw = _not_yet
callin_attachment = _not_yet
pcc_decision_list = _not_yet
pcc_decision_draft = _not_yet
pcc_decision_detail = _not_yet
pcc_decision_edit = _not_yet
pcc_decision_sign = _not_yet
appointment_list = _not_yet
appointment_open = _not_yet
appointment_detail = _not_yet
appointment_shortlist = _not_yet
appointment_consult = _not_yet
appointment_view = _not_yet
appointment_appoint = _not_yet
appointment_withdraw = _not_yet
