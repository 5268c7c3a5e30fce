"""PCC-office pages: audit log, security log, API tokens, devices reset and unlock."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners.models import Partner

from .. import permissions, selectors, services
from ..forms import ApiTokenForm
from ..models import AuditEvent, SecurityEvent
from ..paging import paginate


class AuditFilterForm(forms.Form):
    search = forms.CharField(label="Search summaries or object id", required=False)
    action = forms.CharField(label="Action starts with", required=False, help_text="For example, partner or membership.add")
    actor = forms.CharField(label="Who", required=False)
    partner = forms.ModelChoiceField(label="Partner", queryset=Partner.objects.order_by("name"), required=False,
                                     empty_label="Any partner")
    date_from = forms.DateField(label="From (YYYY-MM-DD)", required=False,
                                error_messages={"invalid": "Enter the from date as YYYY-MM-DD, like 2026-11-01"})
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False,
                              error_messages={"invalid": "Enter the to date as YYYY-MM-DD, like 2026-11-30"})


def audit_log(request):
    permissions.check(request.user, permissions.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_visible_to(
        user=request.user, search=filters.get("search", ""), action=filters.get("action", ""),
        actor=filters.get("actor", ""), partner_id=getattr(filters.get("partner"), "pk", None),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    page, pagination = paginate(request, events)
    return render(request, "portal/audit_log.html", {"filter_form": form, "form": form, "page": page, "pagination": pagination})


class SecurityFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Event", required=False, choices=[("", "Any event")] + list(SecurityEvent.Kind.choices))
    username = forms.CharField(label="Username", required=False)
    date_from = forms.DateField(label="From (YYYY-MM-DD)", required=False,
                                error_messages={"invalid": "Enter the from date as YYYY-MM-DD, like 2026-11-01"})
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False,
                              error_messages={"invalid": "Enter the to date as YYYY-MM-DD, like 2026-11-30"})


def security_log_view(request):
    permissions.check(request.user, permissions.SECURITY_LOG_VIEW)
    form = SecurityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.security_events_visible_to(
        user=request.user, kind=filters.get("kind", ""), username=filters.get("username", ""),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    page, pagination = paginate(request, events)
    return render(request, "portal/security_log.html", {
        "form": form, "page": page, "pagination": pagination,
        "locked": selectors.locked_usernames(user=request.user),
        "can_unlock": permissions.can(request.user, permissions.USER_DEVICES_RESET),
    })


@require_POST
def account_unlock(request):
    permissions.check(request.user, permissions.USER_DEVICES_RESET)
    username = request.POST.get("username", "")
    services.account_unlock(username=username, by=request.user, request=request)
    messages.success(request, f"{username} can sign in again.")
    return redirect("portal:security-log")


def device_reset(request, user_id: int):
    permissions.check(request.user, permissions.USER_DEVICES_RESET)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        services.user_devices_reset(user=person, by=request.user, request=request)
        messages.success(request, f"{person.get_username()} will set up a new authenticator app at their next sign-in.")
        return redirect("portal:security-log")
    return render(request, "portal/device_reset.html", {"person": person})


def tokens(request):
    permissions.check(request.user, permissions.API_TOKEN_MANAGE)
    page, pagination = paginate(request, selectors.api_tokens_visible_to(user=request.user))
    return render(request, "portal/tokens.html", {"page": page, "pagination": pagination})


def token_create(request):
    permissions.check(request.user, permissions.API_TOKEN_MANAGE)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_create(
            name=form.cleaned_data["name"], partner=form.cleaned_data["partner"],
            days=form.cleaned_data["days"], by=request.user,
        )
        return render(request, "portal/token_created.html", {"token": token, "raw": raw})
    return render(request, "portal/token_create.html", {"form": form})


@require_POST
def token_revoke(request, token_id: int):
    permissions.check(request.user, permissions.API_TOKEN_MANAGE)
    token = get_object_or_404(selectors.api_tokens_visible_to(user=request.user), pk=token_id)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token '{token.name}' is revoked. The system can no longer use it.")
    return redirect("portal:tokens")
