"""What the plan pages share: the posted data, a service's refusal on its form, the partners a plan offers."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from partners.models import Partner

from .. import services

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


def _partners_of(plan) -> list[Partner]:
    return services.required_partners(plan) if plan.owner else list(plan.contributors.order_by("name"))


def _past_due(form) -> bool:
    """Whether to offer "the due date is right": the date entered has passed (the service said so), or the
    person already ticked it."""
    errors = form.errors.as_data().get("due_date", []) if form.is_bound else []
    return any(e.code == services.PAST_DUE for e in errors) or bool(form.data.get("confirm_past"))
