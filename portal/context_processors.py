"""What every page needs: service name, navigation for the viewer's roles, who is signed in."""
from __future__ import annotations

from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from partners.models import Partner

from . import permissions


def _nav(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated or not user.is_verified():
        return []
    items = [("Home", "portal:home", None)]
    items.append(("Partners", "partners:list", permissions.PARTNER_VIEW))
    items += [
        ("Priorities", "targets:priorities", permissions.PARTNER_VIEW),
        ("Indicators", "targets:indicators", permissions.PARTNER_VIEW),
        ("Data returns", "targets:returns", (permissions.DATA_RETURN_SUBMIT, permissions.DATA_RETURN_REVIEW_ALL)),
        ("Sharing agreements", "partners:dsa-list", permissions.DSA_VIEW),
        ("Audit log", "portal:audit-log", permissions.AUDIT_VIEW),
        ("Security log", "portal:security-log", permissions.SECURITY_LOG_VIEW),
        ("API tokens", "portal:tokens", permissions.API_TOKEN_MANAGE),
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
    if user.is_authenticated:
        partner_ids = {seat.partner_id for seat in permissions.seats(user)}
        if partner_ids:
            names = ", ".join(Partner.objects.filter(id__in=partner_ids).order_by("name").values_list("short_name", flat=True))
        session_timeout = {"idle": settings.SESSION_IDLE_SECONDS, "warning": settings.SESSION_WARNING_SECONDS}
    return {
        "service_name": settings.PORTAL_SERVICE_NAME,
        "nav_items": _nav(request),
        "current_partner_names": names,
        "session_timeout": session_timeout,
        "get_messages": get_messages,
        "demo_label": settings.DEMO_DATA_LABEL,
    }
