"""A police delivery plan that probation contributes to, and the people around it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Partner, Role
from tests.factories import make_partner, make_person, make_plan


@pytest.fixture
def probation_signatory(probation):
    return make_person(probation, Role.SIGNATORY, "probation.signatory")


@pytest.fixture
def council(db) -> Partner:
    return make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council")


@pytest.fixture
def outsider(council):
    """An officer of a partner that has nothing to do with the plan."""
    return make_person(council, Role.OFFICER, "council.officer")


@pytest.fixture
def sections(police, probation) -> list:
    return [
        ("Policing", "The police target **stop and search** at the hotspots.", police),
        ("Offender management", "Probation supervises the people most likely to reoffend.", probation),
        ("Overview", "Why the partners agree this plan.", None),
    ]


@pytest.fixture
def actions(police, probation) -> list:
    today = timezone.localdate()
    return [
        ("Patrol the three hotspot wards", police, today - timedelta(days=10)),  # not done and past due: late
        ("Joint supervision of the top 50", probation, today + timedelta(days=60)),
    ]


@pytest.fixture
def plan(police, probation, sections, actions, opcc, police_signatory, probation_signatory):
    """A draft (version 1): police own it, probation contributes; each has a signatory."""
    return make_plan(police, [probation], title="Violence delivery plan", sections=sections, actions=actions)


def version_url(plan, number: int = 1, rest: str = "") -> str:
    return f"/plans/{plan.pk}/versions/{number}/{rest}"


def section_of(plan, title: str, number: int = 1):
    return plan.versions.get(number=number).sections.get(title=title)
