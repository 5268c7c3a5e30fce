"""What every page needs: service name, navigation for the viewer's roles, who is signed in.

NOTE: wiring, not core: the navigation composes every app's pages, so this module may import them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from callins import rules as callin_rules
from partners import rules as partner_rules
from partners.models import Partner
from targets import rules as target_rules

from . import permissions
from .notifications import notification_unread_count


def _nav(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated or not user.is_verified():
        return []
    items = [("Home", "portal:home", None)]
    items.append(("Partners", "partners:list", partner_rules.PARTNER_VIEW))
    items += [
        ("Dashboard", "targets:dashboard", target_rules.PRIORITY_VIEW),
        ("Priorities", "targets:priorities", target_rules.PRIORITY_VIEW),
        ("Indicators", "targets:indicators", target_rules.PRIORITY_VIEW),
        ("Plans", "targets:plans", target_rules.PLAN_VIEW),
        ("Decisions", "callins:decisions", callin_rules.DECISION_VIEW),
        ("Call-ins", "callins:callins", callin_rules.CALLIN_VIEW),
        ("Funding", "funding:index", None),
        ("Data returns", "targets:returns", (target_rules.DATA_RETURN_SUBMIT, target_rules.DATA_RETURN_REVIEW_ALL)),
        ("Sharing agreements", "partners:dsa-list", partner_rules.DSA_VIEW),
        ("Audit log", "portal:audit-log", permissions.AUDIT_VIEW),
        ("Security log", "portal:security-log", permissions.SECURITY_LOG_VIEW),
        ("API tokens", "partners:tokens", partner_rules.API_TOKEN_MANAGE),
    ]
    out = []
    for text, name, action in items:
        actions = action if isinstance(action, tuple) else (action,)
        if action and not any(permissions.can(user, a) for a in actions):
            continue
        try:
            href = reverse(name)
        except Exception:  # NOTE: routes of later issues appear in the menu once they exist
            continue
        current = request.path == href if name == "portal:home" else request.path.startswith(href)
        out.append({"text": text, "href": href, "active": current})
    return out


def portal(request) -> dict:
    user = request.user
    names = ""
    session_timeout = None
    unread = None
    if user.is_authenticated:
        if user.is_verified():
            unread = notification_unread_count(user=user)  # one COUNT on a partial index
        partner_ids = {seat.partner_id for seat in permissions.seats(user)}
        if partner_ids:
            names = ", ".join(
                Partner.objects.filter(id__in=partner_ids).order_by("name").values_list("short_name", flat=True)
            )
        session_timeout = {"idle": settings.SESSION_IDLE_SECONDS, "warning": settings.SESSION_WARNING_SECONDS}
    return {
        "service_name": settings.PORTAL_SERVICE_NAME,
        "nav_items": _nav(request),
        "current_partner_names": names,
        "session_timeout": session_timeout,
        "notifications_unread": unread,  # None: no notifications link (signed out, or before the second factor)
        "get_messages": get_messages,
        "demo_label": settings.DEMO_DATA_LABEL,
    }
