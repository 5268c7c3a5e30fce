"""Reads of partners and people, filtered by what the viewer may see."""
from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from portal import permissions

from .models import Membership, Partner


def partner_list_visible_to(*, user, search: str = "", kind: str = "") -> QuerySet[Partner]:
    """The partner directory: every active partner, to anyone who holds a role."""
    qs = permissions.visible(user, permissions.PARTNER_VIEW, Partner.objects.filter(active=True))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.prefetch_related("areas").order_by("name")


def partner_get(*, user, slug: str) -> Partner:
    """One partner with its areas and current people, or 404."""
    active_people = Membership.objects.active().select_related("user").order_by("role", "user__last_name")
    qs = Partner.objects.prefetch_related("areas", Prefetch("memberships", queryset=active_people, to_attr="people"))
    return permissions.get_visible_or_404(user, permissions.PARTNER_VIEW, qs, slug=slug)


def memberships_of(*, user) -> QuerySet[Membership]:
    """A person's own memberships, current and past."""
    return Membership.objects.filter(user=user).select_related("partner").order_by("-active_from")


# Sections other apps add to the partner page (remits, targets owned, agreements).
PARTNER_SECTIONS: list = []


def partner_section(func):
    """Register func(user, partner) -> dict | None ({"title", "template", ...context}) for the partner page."""
    PARTNER_SECTIONS.append(func)
    return func


def partner_sections(*, user, partner) -> list[dict]:
    """The extra sections of a partner page, each already filtered for the viewer."""
    return [s for s in (f(user, partner) for f in PARTNER_SECTIONS) if s]
