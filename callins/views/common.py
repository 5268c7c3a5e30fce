"""What the PCC's powers' pages share: the posted data, a service's refusal on its form, a transition's page
refused or sent back, a list's filters, the documents' content types."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from portal import permissions

from .. import rules

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _apply_errors(form, exc: ValidationError) -> None:
    """The service's refusal on the form: on its field where the form has one (codes kept)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _refuse_or_redirect(request, flow, obj, name: str, *, why_not: str = ""):
    """403 when the person may never take this transition on this row; back to the row, saying why, when it
    is not in a state the transition starts from (or `why_not` says it cannot be taken now); None when the
    page may go on."""
    if not flow.permitted(request.user, obj, name):
        raise PermissionDenied(flow.refusal(name))
    if not flow.in_source_state(obj, name):
        label = flow.states(flow.state_of(obj)).label.lower()
        messages.info(request, f"{flow.transition(name).wrong_state}: this one is {label}.")
        return redirect(obj)
    if why_not:
        messages.info(request, why_not)
        return redirect(obj)
    return None


def _filters(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


def _filtered(form) -> bool:
    """Whether the person narrowed the list (to say "nothing matches" rather than "nothing yet")."""
    return form.is_bound and any(v for k, v in form.data.items() if k != "page")


LISTS = (
    ("callins:decisions", "Partners' decisions", rules.DECISION_VIEW),
    ("callins:callins", "Call-ins", rules.CALLIN_VIEW),
    ("callins:pcc-decisions", "The PCC's decisions", None),
    ("callins:appointments", "Senior appointments", rules.APPOINTMENT_VIEW),
)


def _lists_for(user) -> list[tuple[str, str]]:
    """The PCC's powers' lists this person may open (url name, words), for the links between them."""
    return [(name, text) for name, text, action in LISTS if action is None or permissions.can(user, action)]
