"""A round can always finish, delivery goes on after agreement, each person sees their next step, and the
record says what happened (issue 15)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners import services as partner_services
from partners.models import DataSharingAgreement, Membership, Partner, Role
from partners.services.dsa_schedule import dsa_request_signatures
from portal.models import AuditEvent, Notification
from portal.working_days import add_working_days, is_working_day
from targets.plans import selectors, services
from targets.plans.models import Plan, PlanAction, PlanComment, PlanSignOff, PlanVersion
from tests.conftest import signed_in
from tests.factories import (
    SYSTEM,
    UserFactory,
    just_now,
    latest_version,
    make_dsa,
    make_indicator,
    make_partner,
    make_person,
    plan_send,
    plan_sign,
)

from .conftest import section_of, version_url

V, S = PlanVersion.Status, PlanSignOff.Status
pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def council(db) -> Partner:
    """A partner with nobody at all, as Birmingham City Council was in the demo."""
    return make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council")


# --- No round that can never finish ------------------------------------------------------------------
def test_sending_is_refused_while_a_required_partner_has_no_signatory(plan, council, police_officer):
    services.plan_update(plan=plan, by=police_officer, contributors=[*plan.contributors.all(), council])
    version = latest_version(plan)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.plan_version_send(version=version, by=police_officer, working_days=10)
    message = " ".join(refused.value.messages)
    assert "Birmingham City Council has no signatory" in message
    assert "give someone at Birmingham City Council the signatory role" in message
    assert "remove it from the contributing partners" in message
    version.refresh_from_db()
    assert version.status == V.DRAFT and not version.signoffs.exists() and AuditEvent.objects.count() == before


def test_the_send_page_names_the_partner_with_nobody_to_sign_before_and_after_trying(plan, council, police_officer):
    services.plan_update(plan=plan, by=police_officer, contributors=[*plan.contributors.all(), council])
    client = signed_in(police_officer)
    page = _text(client.get(version_url(plan, rest="send/")))
    assert "No signatory" in page and "Birmingham City Council has no signatory" in page
    response = client.post(version_url(plan, rest="send/"), {"working_days": "10"})
    assert response.status_code == 200 and "Birmingham City Council has no signatory" in _text(response)
    assert latest_version(plan).status == V.DRAFT


def test_an_officer_is_never_asked_to_sign_an_agreement(police, probation, council, police_signatory):
    council_officer = make_person(council, Role.OFFICER, "council.officer")
    violence = make_indicator("SV-1000", police)
    agreement = make_dsa(police, [council], [violence], status=DataSharingAgreement.Status.AWAITING_SIGNATURES)
    dsa_request_signatures(agreement_id=agreement.pk)
    asked = set(Notification.objects.filter(kind="dsa.signature_requested").values_list("user__username", flat=True))
    assert council_officer.username not in asked


def test_a_partner_losing_its_last_signatory_mid_round_is_flagged_once_to_the_owner_and_the_pcc_office(
    plan, police_officer, probation_signatory, pcc_officer, pcc
):
    plan_send(plan)
    membership = Membership.objects.get(user=probation_signatory, role=Role.SIGNATORY)
    partner_services.membership_end(membership=membership, on=timezone.localdate(), by=SYSTEM)
    flagged = Notification.objects.filter(kind="plan.no_signatory")
    assert set(flagged.values_list("user__username", flat=True)) == {"police.officer", "pcc.officer", "pcc"}
    assert f"{probation_signatory.memberships.get().partner.short_name} has nobody to sign off" in flagged.first().title
    signoff = latest_version(plan).signoffs.get(partner__slug="probation-west-midlands")
    assert signoff.unsignable_flagged_at is not None
    assert AuditEvent.objects.filter(action="plan.signoff_unsignable").count() == 1
    # the daily run does not tell them again
    later = add_working_days(timezone.localdate(), 2)
    assert services.plan_signoff_reminders(today=later, by=SYSTEM)["unsignable"] == 0
    assert flagged.count() == 3
    # the owner's start page says what is stuck
    items = [w.text for w in selectors.waiting_for(user=police_officer, today=later)]
    assert any("has nobody to sign off Violence delivery plan, version 1" in text for text in items)


def test_a_partner_with_another_signatory_left_is_not_flagged(plan, probation, probation_signatory):
    make_person(probation, Role.SIGNATORY, "probation.deputy")
    plan_send(plan)
    membership = Membership.objects.get(user=probation_signatory, role=Role.SIGNATORY)
    partner_services.membership_end(membership=membership, by=SYSTEM)
    assert not Notification.objects.filter(kind="plan.no_signatory").exists()


def test_removing_a_contributor_with_work_asks_whom_it_goes_to(plan, police, probation, police_officer):
    with pytest.raises(services.ReassignNeeded) as asked:
        services.plan_update(plan=plan, by=police_officer, contributors=[])
    assert [p.slug for p in asked.value.partners] == ["probation-west-midlands"]
    assert plan.contributors.filter(pk=probation.pk).exists()  # nothing changed
    services.plan_update(plan=plan, by=police_officer, contributors=[], reassign={probation.pk: police})
    draft = latest_version(plan)
    assert not draft.sections.filter(assigned_to=probation).exists()
    assert not draft.actions.filter(owner=probation).exists()
    assert draft.sections.filter(title="Offender management", assigned_to=police).exists()
    event = AuditEvent.objects.filter(action="plan.update").latest("id")
    assert f"{probation.short_name}'s sections and actions go to {police.short_name}" in event.summary


def test_the_plan_details_page_asks_whom_a_removed_contributors_work_goes_to(plan, police, probation, police_officer):
    client = signed_in(police_officer)
    data = {
        "title": plan.title,
        "summary": "",
        "period_start-day": plan.period_start.day,
        "period_start-month": plan.period_start.month,
        "period_start-year": plan.period_start.year,
        "period_end-day": plan.period_end.day,
        "period_end-month": plan.period_end.month,
        "period_end-year": plan.period_end.year,
    }
    asked = client.post(f"/plans/{plan.pk}/edit/", data)
    page = _text(asked)
    assert asked.status_code == 200 and "Who takes over Probation Service West Midlands&#39;s work?" in page
    assert "Choose who takes over Probation Service West Midlands&#39;s sections and actions" in page
    assert plan.contributors.filter(pk=probation.pk).exists()
    done = client.post(f"/plans/{plan.pk}/edit/", {**data, f"reassign_{probation.pk}": police.pk})
    assert done.status_code == 302 and not plan.contributors.exists()


# --- Who may do what -------------------------------------------------------------------------------
def test_a_superuser_cannot_decide_for_a_partner(plan, police):
    plan_send(plan)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    signoff = latest_version(plan).signoffs.get(partner=police)
    with pytest.raises(PermissionDenied):
        services.plan_signoff_sign(signoff=signoff, by=root, confirmed_at=just_now())
    with pytest.raises(PermissionDenied):
        services.plan_signoff_return(signoff=signoff, by=root, reasons="No.", confirmed_at=just_now())
    signoff.refresh_from_db()
    assert signoff.status == S.PENDING
    response = signed_in(root).get(version_url(plan, rest=f"sign-offs/{police.slug}/sign/"))
    assert response.status_code in (403, 404)


def test_the_403_page_names_the_action_refused(plan, probation_officer):
    response = signed_in(probation_officer).get(version_url(plan, rest="send/"))
    assert response.status_code == 403
    page = _text(response)
    assert "You cannot run this plan" in page and "data-sharing agreement" not in page


def test_the_pcc_office_runs_the_boards_plans_and_the_commissioner_signs_for_it(opcc, police, police_signatory, pcc):
    pcc_officer = make_person(opcc, Role.PCC_OFFICER, "pcc.officer")
    plan = services.plan_create(
        kind=Plan.Kind.STRATEGIC,
        title="Board plan",
        owner=None,
        contributors=[police],
        period_start=date(2026, 4, 1),
        period_end=date(2028, 3, 31),
        sections=[("Purpose", "Together.", None)],
        by=pcc_officer,
    )
    version = latest_version(plan)
    services.plan_version_send(version=version, by=pcc_officer, working_days=10)
    signoffs = {s.partner.slug: s for s in version.signoffs.select_related("partner")}
    assert set(signoffs) == {"opcc", "west-midlands-police"}
    # the PCC officer may run the plan but not sign for the office
    with pytest.raises(PermissionDenied):
        services.plan_signoff_sign(signoff=signoffs["opcc"], by=pcc_officer, confirmed_at=just_now())
    services.plan_signoff_sign(signoff=signoffs["west-midlands-police"], by=police_signatory, confirmed_at=just_now())
    services.plan_signoff_sign(signoff=signoffs["opcc"], by=pcc, confirmed_at=just_now())
    version.refresh_from_db()
    assert version.status == V.AGREED


def test_the_pcc_office_does_not_run_a_partners_plan(plan, pcc_officer):
    with pytest.raises(PermissionDenied):
        services.plan_version_send(version=latest_version(plan), by=pcc_officer, working_days=10)


# --- Delivery after agreement ---------------------------------------------------------------------
@pytest.fixture
def agreed_plan(plan):
    plan_send(plan)
    for signoff in latest_version(plan).signoffs.select_related("partner"):
        plan_sign(plan, signoff.partner)
    assert latest_version(plan).status == V.AGREED
    return plan


def test_the_actions_partner_records_progress_on_the_agreed_version(agreed_plan, probation, probation_officer):
    version = latest_version(agreed_plan)
    action = version.actions.get(owner=probation)
    today = timezone.localdate()
    services.plan_action_progress(
        action=action, by=probation_officer, status="done", progress_note="All 50 assigned.", done_on=today
    )
    action.refresh_from_db()
    assert (action.status, action.done_on, action.progress_note) == ("done", today, "All 50 assigned.")
    assert action.progress_by == probation_officer
    version.refresh_from_db()
    assert version.status == V.AGREED and agreed_plan.versions.count() == 1  # no new round
    event = AuditEvent.objects.filter(action="plan.action_progress").get()
    assert event.before["status"] == "not_started" and event.after["status"] == "done"


def test_progress_is_refused_to_others_and_needs_a_date_when_done(
    agreed_plan, police, probation, police_officer, probation_officer
):
    version = latest_version(agreed_plan)
    theirs = version.actions.get(owner=probation)
    with pytest.raises(PermissionDenied):
        services.plan_action_progress(action=theirs, by=police_officer, status="in_progress")
    with pytest.raises(ValidationError, match="Enter the date the action was done"):
        services.plan_action_progress(action=theirs, by=probation_officer, status="done")
    with pytest.raises(ValidationError, match="today or in the past"):
        services.plan_action_progress(
            action=theirs, by=probation_officer, status="done", done_on=timezone.localdate() + timedelta(days=1)
        )
    assert not AuditEvent.objects.filter(action="plan.action_progress").exists()


def test_progress_is_recorded_on_the_page_and_a_late_action_stays_on_the_start_page_until_done(
    agreed_plan, police, police_officer
):
    version = latest_version(agreed_plan)
    late = version.actions.get(owner=police)  # due ten days ago, not done
    client = signed_in(police_officer)
    assert "Record progress" in _text(client.get(version.get_absolute_url()))
    assert any(late.what in w.text and w.tag == "Late" for w in selectors.waiting_for(user=police_officer))
    url = version_url(agreed_plan, rest=f"actions/{late.key}/progress/")
    wrong = client.post(url, {"status": "done"})
    assert wrong.status_code == 200 and "Enter the date the action was done" in _text(wrong)
    today = timezone.localdate()
    done = client.post(
        url,
        {
            "status": "done",
            "done_on-day": today.day,
            "done_on-month": today.month,
            "done_on-year": today.year,
            "progress_note": "Patrols ran every night.",
        },
    )
    assert done.status_code == 302
    assert not any(late.what in w.text for w in selectors.waiting_for(user=police_officer))
    assert "Patrols ran every night." in _text(client.get(version.get_absolute_url()))


def test_progress_made_while_the_next_version_is_written_is_kept_when_it_is_agreed(
    agreed_plan, probation, police_officer, probation_officer
):
    first = latest_version(agreed_plan)
    second = services.plan_version_start(plan=agreed_plan, by=police_officer)
    action = first.actions.get(owner=probation)
    services.plan_action_progress(action=action, by=probation_officer, status="in_progress", progress_note="Half.")
    plan_send(agreed_plan)
    for signoff in second.signoffs.select_related("partner"):
        plan_sign(agreed_plan, signoff.partner)
    carried = second.actions.get(key=action.key)
    assert (carried.status, carried.progress_note) == ("in_progress", "Half.")


# --- Each person sees their next step -----------------------------------------------------------------
def test_the_owner_is_told_which_partner_returned_the_version_and_what_to_do(plan, police_officer, probation):
    plan_send(plan)
    services.plan_signoff_return(signoff=latest_version(plan).signoffs.get(partner=probation), by=SYSTEM, reasons="No.")
    texts = [w.text for w in selectors.waiting_for(user=police_officer)]
    words = f"Version 1 of Violence delivery plan was returned by {probation.short_name}: revise and send version 2"
    assert words in texts
    page = _text(signed_in(police_officer).get("/"))
    assert f"was returned by {probation.short_name}: revise and send version 2" in page


def test_a_draft_not_yet_sent_is_on_its_owners_start_page(plan, police_officer, probation_officer):
    texts = [w.text for w in selectors.waiting_for(user=police_officer)]
    assert "Version 1 of Violence delivery plan is a draft: finish it and send it for sign-off" in texts
    assert not any("is a draft" in w.text for w in selectors.waiting_for(user=probation_officer))


def test_a_stale_sign_off_link_leads_to_the_new_draft(plan, police, probation, probation_signatory):
    plan_send(plan)
    services.plan_signoff_return(signoff=latest_version(plan).signoffs.get(partner=police), by=SYSTEM, reasons="No.")
    response = signed_in(probation_signatory).get(
        version_url(plan, rest=f"sign-offs/{probation.slug}/sign/"), follow=True
    )
    assert response.redirect_chain[-1][0] == version_url(plan, 2)
    page = _text(response)
    assert f"the round closed when {police.short_name} returned it" in page
    assert "Version 2, made from it, is being revised" in page


# --- The record says what happened -------------------------------------------------------------------------
def test_last_changed_by_still_names_the_writer_after_a_return(plan, police, probation, probation_officer):
    section = section_of(plan, "Offender management")
    services.plan_section_update(section=section, body="Probation supervises the top 50.", by=probation_officer)
    plan_send(plan)
    services.plan_signoff_return(signoff=latest_version(plan).signoffs.get(partner=police), by=SYSTEM, reasons="No.")
    copied = section_of(plan, "Offender management", number=2)
    assert copied.updated_by == probation_officer


def test_an_agreed_versions_details_never_change_with_a_later_draft(agreed_plan, police, probation, police_officer):
    first = latest_version(agreed_plan)
    services.plan_version_start(plan=agreed_plan, by=police_officer)
    services.plan_update(
        plan=agreed_plan,
        by=police_officer,
        title="Violence delivery plan, revised",
        contributors=[],
        reassign={probation.pk: police},
    )
    first.refresh_from_db()
    assert first.display_title == "Violence delivery plan"
    assert [p.slug for p in first.contributors.all()] == ["probation-west-midlands"]
    assert latest_version(agreed_plan).display_title == "Violence delivery plan, revised"


def test_each_transition_is_audited_once(plan, police, probation):
    plan_send(plan)
    version = latest_version(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    events = list(
        AuditEvent.objects.filter(object_type="targets.plan", object_id=str(plan.pk)).values_list("action", flat=True)
    )
    for action in ("plan.send", "plan.agree"):
        assert events.count(action) == 1, action
    assert events.count("plan.signoff_sign") == 2
    assert version.signoffs.count() == 2


def test_a_version_is_never_sent_before_it_was_started(plan):
    version = latest_version(plan)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it
        PlanVersion.objects.filter(pk=version.pk).update(sent_at=version.created_at - timedelta(days=1))


# --- Comparison and writing -----------------------------------------------------------------------
def test_an_actions_due_date_outside_the_plans_period_is_refused(plan, police, police_officer):
    version = latest_version(plan)
    with pytest.raises(ValidationError, match="within the plan's period"):
        services.plan_action_add(
            version=version, what="Later", owner=police, due_date=plan.period_end + timedelta(days=1), by=police_officer
        )


def test_a_due_date_already_past_needs_confirming(plan, police, police_officer):
    version = latest_version(plan)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="has already passed"):
        services.plan_action_add(version=version, what="Late", owner=police, due_date=yesterday, by=police_officer)
    added = services.plan_action_add(
        version=version, what="Late", owner=police, due_date=yesterday, by=police_officer, confirm_past=True
    )
    assert added.is_late()


def test_the_action_page_asks_to_confirm_a_past_date(plan, police, police_officer):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "what": "Late",
        "owner": police.pk,
        "due_date-day": yesterday.day,
        "due_date-month": yesterday.month,
        "due_date-year": yesterday.year,
    }
    client = signed_in(police_officer)
    asked = client.post(version_url(plan, rest="actions/new/"), data)
    assert asked.status_code == 200 and "has already passed" in _text(asked)
    assert "The due date is right: the action is already late" in _text(asked)
    done = client.post(version_url(plan, rest="actions/new/"), {**data, "confirm_past": "on"})
    assert done.status_code == 302


def test_open_threads_go_on_to_the_next_version_and_resolved_ones_stay(plan, police, probation, police_officer):
    section = section_of(plan, "Policing")
    open_thread = services.plan_comment_add(section=section, body="Which wards?", by=SYSTEM)
    services.plan_comment_add(section=section, body="The three hotspots.", parent=open_thread, by=police_officer)
    closed = services.plan_comment_add(section=section, body="Typo in line 2.", by=SYSTEM)
    services.plan_comment_resolve(comment=closed, by=police_officer)
    plan_send(plan)
    services.plan_signoff_return(signoff=latest_version(plan).signoffs.get(partner=police), by=SYSTEM, reasons="No.")
    carried = PlanComment.objects.filter(section=section_of(plan, "Policing", number=2))
    assert sorted(carried.values_list("body", flat=True)) == ["The three hotspots.", "Which wards?"]
    assert carried.get(parent=None).carried_from == open_thread


def test_a_sections_writers_are_told_of_a_new_comment(plan, probation, probation_officer, police_officer):
    section = section_of(plan, "Offender management")
    services.plan_comment_add(section=section, body="Add the caseload figures.", by=police_officer)
    told = Notification.objects.filter(kind="plan.comment")
    assert set(told.values_list("user__username", flat=True)) == {"probation.officer"}
    assert "Add the caseload figures." in told.get().body


def test_the_owner_writes_what_changed_and_signatories_are_told_it(plan, police_officer, probation_signatory):
    version = latest_version(plan)
    services.plan_version_note(version=version, note="Probation's section now has the caseloads.", by=police_officer)
    plan_send(plan)
    request = Notification.objects.get(kind="plan.signoff_requested", user=probation_signatory)
    assert "What changed: Probation's section now has the caseloads." in request.body
    assert "Probation&#39;s section now has the caseloads." in _text(
        signed_in(probation_signatory).get(version.get_absolute_url())
    )


def test_images_are_refused_in_a_section(plan, police_officer):
    section = section_of(plan, "Policing")
    with pytest.raises(ValidationError, match="Images cannot be shown"):
        services.plan_section_update(section=section, body="![map](https://example.org/map.png)", by=police_officer)


# --- Reminders on working days ---------------------------------------------------------------------
@pytest.mark.parametrize("day", [date(2026, 12, 5), date(2026, 12, 28), date(2027, 3, 29)])
def test_no_reminder_on_a_weekend_or_a_bank_holiday(plan, day):
    assert not is_working_day(day)
    plan_send(plan, today=day - timedelta(days=20))
    PlanSignOff.objects.update(due=day - timedelta(days=1))
    counts = services.plan_signoff_reminders(today=day, by=SYSTEM)
    assert counts == {"reminded": 0, "escalated": 0, "unsignable": 0}
    assert not Notification.objects.filter(kind__in=["plan.signoff_due", "plan.signoff_escalated"]).exists()


def test_one_escalation_per_sign_off_across_sixty_days_of_daily_runs(plan, board_member):
    start = date(2026, 11, 2)
    plan_send(plan, today=start)
    PlanSignOff.objects.update(due=start + timedelta(days=1))
    for n in range(60):
        services.plan_signoff_reminders(today=start + timedelta(days=n), by=SYSTEM)
    escalations = Notification.objects.filter(kind="plan.signoff_escalated", user=board_member)
    assert escalations.count() == PlanSignOff.objects.count() == 2
    assert all(s.escalated_at is not None for s in PlanSignOff.objects.all())
    reminded_days = {timezone.localdate(n.created_at) for n in Notification.objects.filter(kind="plan.signoff_due")}
    assert reminded_days  # (dated now: the runs are for days gone by; the count is what matters)
    assert AuditEvent.objects.filter(action="plan.signoff_reminder").count() == 2 * sum(
        is_working_day(start + timedelta(days=n)) and start + timedelta(days=n) >= add_working_days(start, -3)
        for n in range(60)
    )


def test_the_board_chair_sees_each_partners_full_duty_record(plan, probation, board_member):
    plan_send(plan)
    rows = selectors.duty_record(partner=probation, user=board_member)
    assert [r.version.number for r in rows] == [1]
    page = _text(signed_in(board_member).get(f"/partners/{probation.slug}/"))
    assert "Plan sign-offs" in page and "Violence delivery plan, version 1" in page


def test_the_action_model_keeps_a_done_date_only_when_done(agreed_plan, probation):
    action = latest_version(agreed_plan).actions.get(owner=probation)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAction.objects.filter(pk=action.pk).update(done_on=timezone.localdate(), status="in_progress")


def test_the_agreement_send_page_warns_of_a_party_with_nobody_to_sign(
    police, council, police_officer, police_signatory
):
    violence = make_indicator("SV-1000", police)
    draft = make_dsa(police, [council], [violence], status=DataSharingAgreement.Status.DRAFT)
    page = _text(signed_in(police_officer).get(f"/sharing-agreements/{draft.pk}/send/"))
    assert "Birmingham City Council has nobody who can sign for it" in page


def test_a_stale_link_of_a_partner_that_had_decided_also_leads_to_the_new_draft(
    plan, police, probation, police_signatory
):
    plan_send(plan)
    plan_sign(plan, police)
    services.plan_signoff_return(
        signoff=latest_version(plan).signoffs.get(partner=probation), by=SYSTEM, reasons="Say who pays."
    )
    response = signed_in(police_signatory).get(version_url(plan, rest=f"sign-offs/{police.slug}/sign/"), follow=True)
    assert response.redirect_chain[-1][0] == version_url(plan, 2)
    page = _text(response)
    assert f"the round closed when {probation.short_name} returned it" in page
    assert f"{police.short_name}&#39;s own decision was made" in page


def test_the_new_draft_shows_why_the_version_before_was_returned_and_asks_what_changed(plan, probation, police_officer):
    plan_send(plan)
    services.plan_signoff_return(
        signoff=latest_version(plan).signoffs.get(partner=probation), by=SYSTEM, reasons="Say who pays."
    )
    client = signed_in(police_officer)
    page = _text(client.get(version_url(plan, 2)))
    assert "Made from version 1" in page and "Say who pays." in page and "Say what changed in this version" in page
    assert "You have not said what changed since version 1" in _text(client.get(version_url(plan, 2, "send/")))
