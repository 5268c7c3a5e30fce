"""A person's notifications (the list, opening one, marking all read) and their email choices."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import notifications as service
from ..forms_govuk import GovukForm
from ..paging import paginate

PER_PAGE = 25


class NotificationEmailForm(GovukForm):
    """Which kinds of notification a person also gets by email (one checkbox a kind)."""

    # NOTE: here rather than portal/forms.py: its choices are the kinds the apps register, so it
    # belongs with this page (and portal/forms.py is the sign-in and token forms).
    emailed = forms.MultipleChoiceField(
        label="Which notifications do you also want by email?",
        help_text="Select all that apply. You always see every notification in the portal.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = service.notification_kinds_for(user)  # only the kinds the person could ever get
        self.fields["emailed"].choices = [(kind.code, kind.label) for kind in kinds]
        self.fields["emailed"].item_hints = {kind.code: kind.description for kind in kinds}


def notifications(request):
    page, pagination = paginate(request, service.notification_list_visible_to(user=request.user), per_page=PER_PAGE)
    return render(
        request,
        "portal/notifications.html",
        {
            "page": page,
            "pagination": pagination,
            "unread": service.notification_unread_count(user=request.user),
            "kind_label": service.kind_label,
        },
    )


def notification_open(request, notification_id: int):
    """Mark it read and go to what it is about (only ever a path on the portal)."""
    notification = get_object_or_404(service.notification_list_visible_to(user=request.user), pk=notification_id)
    service.notification_mark_read(notification=notification, by=request.user)
    return redirect(service.portal_path(notification.url) or "portal:notifications")


@require_POST
def notifications_mark_all_read(request):
    count = service.notifications_mark_all_read(by=request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("portal:notifications")


def notification_settings(request):
    if request.method == "POST":
        form = NotificationEmailForm(request.POST, user=request.user)
        if form.is_valid():
            service.notification_preferences_save(
                user=request.user, emailed=form.cleaned_data["emailed"], by=request.user
            )
            messages.success(request, "Your email choices are saved.")
            return redirect("portal:notification-settings")
    else:
        chosen = [kind.code for kind, email in service.notification_email_choices(user=request.user) if email]
        form = NotificationEmailForm(initial={"emailed": chosen}, user=request.user)
    return render(request, "portal/notification_settings.html", {"form": form})
