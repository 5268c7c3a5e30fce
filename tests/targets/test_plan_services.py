"""Plans through their services: who writes what, the sign-off round (one decision per partner, agreed and
locked when all have signed, a new draft when one returns it), and reminders and escalations counted in
working days across bank holidays (fixed dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from partners.models import Partner, Role
from portal.models import AuditEvent, Notification
from portal.security import StepUpRequired
from targets.plans import selectors, services
from targets.plans.models import Plan, PlanSignOff, PlanVersion
from tests.factories import SYSTEM, make_partner, make_person

pytestmark = pytest.mark.django_db
V = PlanVersion.Status
S = PlanSignOff.Status


@pytest.fixture
def board(police, probation, opcc):
    """A police delivery plan with probation contributing; signatories and officers on each side; the chair."""
    people = {
        "police officer": make_person(police, Role.OFFICER, "police.officer"),
        "police signatory": make_person(police, Role.SIGNATORY, "police.signatory"),
        "probation officer": make_person(probation, Role.OFFICER, "probation.officer"),
        "probation signatory": make_person(probation, Role.SIGNATORY, "probation.signatory"),
        "chair": make_person(opcc, Role.BOARD_MEMBER, "board.chair"),
    }
    plan = services.plan_create(
        kind=Plan.Kind.DELIVERY,
        title="Violence delivery plan",
        owner=police,
        contributors=[probation],
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        by=SYSTEM,
        sections=[
            ("Policing", "What the police do.", police),
            ("Offender management", "What probation does.", probation),
            ("Overview", "Why.", None),
        ],
    )
    return plan, people


def _version(plan):
    return plan.versions.order_by("-number").first()


def _now():
    return timezone.now()


def test_each_partner_writes_its_own_sections_only(board):
    plan, people = board
    version = _version(plan)
    police_section = version.sections.get(title="Policing")
    probation_section = version.sections.get(title="Offender management")
    services.plan_section_update(
        section=police_section, body="Stop and search, better targeted.", by=people["police officer"]
    )
    with pytest.raises(PermissionDenied):
        services.plan_section_update(section=police_section, body="Probation's words", by=people["probation officer"])
    services.plan_section_update(section=probation_section, body="Joint supervision.", by=people["probation officer"])
    police_section.refresh_from_db()
    assert police_section.body == "Stop and search, better targeted."
    assert AuditEvent.objects.filter(action="plan.section_update", object_id=str(plan.pk)).count() == 2


def test_drafts_are_seen_by_the_owner_and_contributors_agreed_plans_by_everyone(board, police):
    plan, people = board
    council = make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council")
    outsider = make_person(council, Role.OFFICER)
    assert plan in selectors.plans_visible_to(user=people["probation officer"])
    assert plan not in selectors.plans_visible_to(user=outsider)
    _sign_all(plan, people)
    assert plan in selectors.plans_visible_to(user=outsider)
    with pytest.raises(Http404):
        selectors.version_get(user=outsider, plan=plan, number=99)


def _sign_all(plan, people):
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10)
    for who in ("police signatory", "probation signatory"):
        signoff = version.signoffs.get(partner__memberships__user=people[who])
        services.plan_signoff_sign(signoff=signoff, by=people[who], confirmed_at=_now())
    version.refresh_from_db()
    return version


def test_all_signed_makes_the_version_agreed_and_locked_for_everyone(board, police):
    plan, people = board
    version = _sign_all(plan, people)
    assert version.status == V.AGREED and version.agreed_at is not None
    section = version.sections.get(title="Policing")
    before = AuditEvent.objects.count()
    for who in ("police officer", "probation officer"):
        with pytest.raises((ValidationError, PermissionDenied)):
            services.plan_section_update(section=section, body="Changed after agreement", by=people[who])
    with pytest.raises(ValidationError, match="only a draft"):
        services.plan_section_update(section=section, body="Even the system", by=SYSTEM)
    section.refresh_from_db()
    assert section.body == "What the police do." and AuditEvent.objects.count() == before
    assert Notification.objects.filter(kind="plan.agreed", user=people["police officer"]).exists()


def test_a_return_closes_the_round_and_makes_a_new_draft_from_the_returned_version(board):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10)
    police_signoff = version.signoffs.get(partner__slug="west-midlands-police")
    services.plan_signoff_sign(signoff=police_signoff, by=people["police signatory"], confirmed_at=_now())
    probation_signoff = version.signoffs.get(partner__slug="probation-west-midlands")
    with pytest.raises(ValidationError, match="reasons"):
        services.plan_signoff_return(
            signoff=probation_signoff, by=people["probation signatory"], reasons=" ", confirmed_at=_now()
        )
    draft = services.plan_signoff_return(
        signoff=probation_signoff,
        by=people["probation signatory"],
        reasons="Add the funding for the extra officers.",
        confirmed_at=_now(),
    )
    version.refresh_from_db()
    assert version.status == V.RETURNED and draft.status == V.DRAFT and draft.number == 2
    assert draft.based_on_id == version.pk
    assert sorted(s.title for s in draft.sections.all()) == sorted(s.title for s in version.sections.all())
    assert {s.key for s in draft.sections.all()} == {s.key for s in version.sections.all()}
    probation_signoff.refresh_from_db()
    assert probation_signoff.status == S.RETURNED and "funding" in probation_signoff.reasons
    assert Notification.objects.filter(kind="plan.returned", user=people["police officer"]).exists()


def test_one_decision_per_partner_and_the_second_is_told_who_decided_and_when(board, police):
    plan, people = board
    deputy = make_person(police, Role.SIGNATORY, "police.deputy", first_name="Dana", last_name="Deputy")
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10)
    signoff = version.signoffs.get(partner=police)
    services.plan_signoff_sign(signoff=signoff, by=people["police signatory"], confirmed_at=_now())
    with pytest.raises(ValidationError, match="already signed off version 1") as refused:
        services.plan_signoff_sign(signoff=signoff, by=deputy, confirmed_at=_now())
    assert people["police signatory"].get_full_name() in refused.value.messages[0]
    assert PlanSignOff.objects.filter(version=version, partner=police).count() == 1


def test_signing_needs_a_fresh_code_and_ones_own_partner(board, probation):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10)
    police_signoff = version.signoffs.get(partner__slug="west-midlands-police")
    with pytest.raises(StepUpRequired):
        services.plan_signoff_sign(signoff=police_signoff, by=people["police signatory"], confirmed_at=None)
    with pytest.raises(PermissionDenied):  # a signatory acts only for their own partner
        services.plan_signoff_sign(signoff=police_signoff, by=people["probation signatory"], confirmed_at=_now())
    with pytest.raises(PermissionDenied):  # an officer does not sign
        services.plan_signoff_sign(signoff=police_signoff, by=people["police officer"], confirmed_at=_now())
    police_signoff.refresh_from_db()
    assert police_signoff.status == S.PENDING


def test_the_due_date_is_counted_in_working_days_across_christmas(board):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=5, today=date(2026, 12, 21))
    version.refresh_from_db()
    # 22, 23, 24, 29 (25, 26 and Boxing Day observed on the 28th are not working days), 30
    assert version.signoff_due == date(2026, 12, 30)
    assert set(version.signoffs.values_list("due", flat=True)) == {date(2026, 12, 30)}


@pytest.mark.parametrize(
    "due,today,reminded",
    [
        (date(2026, 12, 29), date(2026, 12, 21), False),  # 4 working days left: 22, 23, 24, 29
        (date(2026, 12, 29), date(2026, 12, 22), True),  # 3 left: 23, 24, 29
        (date(2027, 3, 30), date(2027, 3, 24), True),  # Easter: 25, 30 (Good Friday and Easter Monday skipped)
        (date(2027, 3, 30), date(2027, 3, 19), False),  # 22, 23, 24, 25, 30
        (date(2026, 12, 18), date(2027, 1, 4), True),  # overdue
    ],
)
def test_signatories_are_reminded_within_three_working_days_or_when_overdue(board, due, today, reminded):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10, today=due - timedelta(30))
    PlanSignOff.objects.filter(version=version).update(due=due)
    counts = services.plan_signoff_reminders(today=today, by=SYSTEM)
    assert (counts["reminded"] > 0) is reminded
    got = Notification.objects.filter(kind="plan.signoff_due", user=people["police signatory"]).exists()
    assert got is reminded
    # once a day
    assert services.plan_signoff_reminders(today=today, by=SYSTEM)["reminded"] == 0


@pytest.mark.parametrize(
    "due,today,escalated",
    [
        (date(2026, 12, 18), date(2026, 12, 29), False),  # overdue 21, 22, 23, 24, 29: 5 working days
        (date(2026, 12, 18), date(2026, 12, 30), True),  # the 6th working day overdue: more than 5
        (date(2027, 3, 24), date(2027, 4, 1), False),  # 25, 30, 31, 1 April: 4 (Easter skipped)
        (date(2027, 3, 24), date(2027, 4, 5), True),  # 25, 30, 31, 1, 2, 5: 6
    ],
)
def test_the_board_chair_is_told_after_five_working_days_overdue(board, due, today, escalated):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10, today=due - timedelta(30))
    PlanSignOff.objects.filter(version=version).update(due=due)
    counts = services.plan_signoff_reminders(today=today, by=SYSTEM)
    assert (counts["escalated"] > 0) is escalated
    assert Notification.objects.filter(kind="plan.signoff_escalated", user=people["chair"]).exists() is escalated
    if escalated:  # once only
        assert services.plan_signoff_reminders(today=today + timedelta(days=1), by=SYSTEM)["escalated"] == 0


def test_the_duty_record_says_on_time_late_or_outstanding(board, police, probation):
    plan, people = board
    version = _version(plan)
    services.plan_version_send(version=version, by=people["police officer"], working_days=10, today=date(2026, 11, 2))
    signoff = version.signoffs.get(partner=police)
    services.plan_signoff_sign(signoff=signoff, by=people["police signatory"], confirmed_at=_now())
    PlanSignOff.objects.filter(pk=signoff.pk).update(
        decided_at=timezone.make_aware(timezone.datetime(2026, 11, 20, 10))
    )
    police_record = selectors.duty_record(partner=police, today=date(2026, 11, 30))
    probation_record = selectors.duty_record(partner=probation, today=date(2026, 11, 30))
    assert [r.timeliness_words for r in police_record] == ["Late"]  # due 16 November
    assert [r.timeliness_words for r in probation_record] == ["Overdue"]
    assert [r.timeliness_words for r in selectors.duty_record(partner=probation, today=date(2026, 11, 10))] == [
        "Outstanding"
    ]


def test_what_waits_for_a_person_comes_soonest_first(board, police):
    plan, people = board
    version = _version(plan)
    services.plan_action_add(
        version=version,
        what="Later action",
        owner=police,
        due_date=date(2027, 1, 30),
        by=people["police officer"],
        today=date(2026, 12, 1),
    )
    services.plan_action_add(
        version=version,
        what="Sooner action",
        owner=police,
        due_date=date(2026, 12, 15),
        by=people["police officer"],
        today=date(2026, 12, 1),
    )
    waiting = selectors.waiting_for(user=people["police officer"], today=date(2026, 12, 1))
    texts = [w.text for w in waiting]
    assert texts.index("Sooner action (Violence delivery plan)") < texts.index("Later action (Violence delivery plan)")
    assert any("Write 'Policing'" in t for t in texts)


def test_the_comparison_marks_words_added_and_removed(board):
    plan, people = board
    first = _version(plan)
    services.plan_version_send(version=first, by=people["police officer"], working_days=10)
    signoff = first.signoffs.get(partner__slug="probation-west-midlands")
    second = services.plan_signoff_return(
        signoff=signoff, by=people["probation signatory"], reasons="More detail", confirmed_at=_now()
    )
    section = second.sections.get(title="Policing")
    services.plan_section_update(section=section, body="What the police and partners do.", by=people["police officer"])
    diffs = {d.title: d for d in selectors.versions_compare(older=first, newer=second)}
    assert diffs["Policing"].change == "changed" and diffs["Policing"].added == 2  # "and partners"
    assert "Added: </span>[+]" in str(diffs["Policing"].html)
    assert diffs["Overview"].change == "unchanged"
