"""The start page: composed from every app's sections (wiring, so it may import the apps)."""

from __future__ import annotations

from django.shortcuts import render

from partners.selectors import memberships_of

from ..home import home_items_for


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "memberships": [m for m in memberships_of(user=request.user) if m.is_active()],
            "sections": home_items_for(user=request.user),
        },
    )
