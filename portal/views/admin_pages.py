"""PCC-office pages: audit log, security log, emails not sent, devices reset and unlock."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import lockout, permissions, selectors, services
from ..directory import partner_choices
from ..forms_govuk import GovukForm
from ..models import SecurityEvent
from ..notifications import kind_label
from ..paging import paginate


class AuditFilterForm(GovukForm):
    search = forms.CharField(label="Search summaries or object id", required=False, max_length=200)
    action = forms.CharField(
        label="Action starts with", required=False, max_length=100, help_text="For example, partner or membership.add"
    )
    actor = forms.CharField(label="Who", required=False, max_length=150)
    partner = forms.TypedChoiceField(label="Partner", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the from date as YYYY-MM-DD, like 2026-11-01"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the to date as YYYY-MM-DD, like 2026-11-30"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Any partner")] + partner_choices()


def audit_log(request):
    permissions.check(request.user, permissions.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_visible_to(
        user=request.user,
        search=filters.get("search", ""),
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        partner_id=filters.get("partner"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page, pagination = paginate(request, events)
    return render(
        request, "portal/audit_log.html", {"filter_form": form, "form": form, "page": page, "pagination": pagination}
    )


def emails_not_sent(request):
    """Notification emails that failed or were refused, with the reason (the notifications are in the portal)."""
    permissions.check(request.user, permissions.AUDIT_VIEW)
    page, pagination = paginate(request, selectors.emails_not_sent_visible_to(user=request.user))
    return render(
        request, "portal/emails_not_sent.html", {"page": page, "pagination": pagination, "kind_label": kind_label}
    )


class SecurityFilterForm(GovukForm):
    kind = forms.ChoiceField(
        label="Event", required=False, choices=[("", "Any event")] + list(SecurityEvent.Kind.choices)
    )
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the from date as YYYY-MM-DD, like 2026-11-01"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the to date as YYYY-MM-DD, like 2026-11-30"},
    )


def security_log_view(request):
    permissions.check(request.user, permissions.SECURITY_LOG_VIEW)
    form = SecurityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.security_events_visible_to(
        user=request.user,
        kind=filters.get("kind", ""),
        username=filters.get("username", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page, pagination = paginate(request, events)
    return render(
        request,
        "portal/security_log.html",
        {
            "form": form,
            "page": page,
            "pagination": pagination,
            "locked": selectors.locked_usernames(user=request.user),
            "throttled": selectors.throttled_addresses(user=request.user),
            "can_unlock": permissions.can(request.user, permissions.USER_DEVICES_RESET),
            "resettable": selectors.people_with_resettable_devices(
                user=request.user, user_ids=[event.user_id for event in page.object_list]
            ),
            "policy": {
                "failures": settings.LOCKOUT_USERNAME_FAILURES,
                "first": lockout.duration_words(settings.LOCKOUT_USERNAME_FIRST),
                "longest": lockout.duration_words(settings.LOCKOUT_USERNAME_MAX),
                "address_failures": settings.LOCKOUT_ADDRESS_FAILURES,
                "address_window": lockout.duration_words(settings.LOCKOUT_ADDRESS_WINDOW),
                "address_time": lockout.duration_words(settings.LOCKOUT_ADDRESS_TIME),
            },
        },
    )


class UnlockForm(GovukForm):
    username = forms.CharField(required=False, max_length=255)
    ip_address = forms.GenericIPAddressField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("username")) == bool(data.get("ip_address")):
            raise forms.ValidationError("Choose one locked account or one throttled address")
        return data


@require_POST
def account_unlock(request):
    """Ends a username's lockout, or an address's throttle (the PCC office, from the security log)."""
    permissions.check(request.user, permissions.USER_DEVICES_RESET)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one locked account or one throttled address to unlock.")
    elif form.cleaned_data["username"]:
        username = form.cleaned_data["username"]
        services.account_unlock(username=username, by=request.user, request=request)
        messages.success(request, f"{username} can sign in again.")
    else:
        ip_address = form.cleaned_data["ip_address"]
        services.address_throttle_clear(ip_address=ip_address, by=request.user, request=request)
        messages.success(request, f"People at {ip_address} can sign in again.")
    return redirect("portal:security-log")


def device_reset(request, user_id: int):
    permissions.check(request.user, permissions.USER_DEVICES_RESET)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        services.user_devices_reset(user=person, by=request.user, request=request)
        messages.success(request, f"{person.get_username()} will set up a new authenticator app at their next sign-in.")
        return redirect("portal:security-log")
    return render(request, "portal/device_reset.html", {"person": person})
