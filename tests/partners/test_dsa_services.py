"""The lifecycle of a data-sharing agreement and the grants it gives (services)."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners import rules as partner_rules
from partners import selectors, services
from partners.models import (
    DataSharingAgreement,
    DataSharingAgreementGroupObjectPermission,
    DsaSignature,
    Role,
)
from portal import permissions
from portal.models import AuditEvent, Notification
from portal.security import StepUpRequired
from portal.working_days import add_working_days
from targets import rules as target_rules
from targets import selectors as target_selectors
from targets.models import AgreementCoverage, IndicatorGroupObjectPermission
from targets.services.sharing import dsa_sync_grants
from tests.conftest import signed_in
from tests.factories import SYSTEM, covered_codes, just_now, make_dsa, make_indicator, make_person, refreshed, terms

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def sees(user, indicator) -> tuple[bool, bool]:
    """(totals, breakdowns) the user may see for an indicator."""
    return (
        permissions.can(user, target_rules.INDICATOR_DATA_VIEW, indicator),
        permissions.can(user, target_rules.INDICATOR_BREAKDOWNS_VIEW, indicator),
    )


def test_an_officer_drafts_for_their_own_partner_and_the_parties_may_see_it(
    police, probation, council, police_officer, probation_officer, council_officer, violence
):
    agreement = services.dsa_draft(
        provider=police, recipients=[probation], indicators=[violence], by=police_officer, **terms()
    )
    assert agreement.reference == f"DSA-{timezone.localdate().year}-001"
    assert agreement.status == DSA.Status.DRAFT
    assert permissions.can(police_officer, partner_rules.DSA_VIEW, agreement)
    assert permissions.can(probation_officer, partner_rules.DSA_VIEW, agreement)
    assert not permissions.can(council_officer, partner_rules.DSA_VIEW, agreement)
    assert permissions.can(police_officer, partner_rules.DSA_SUSPEND, agreement)
    assert not permissions.can(probation_officer, partner_rules.DSA_SUSPEND, agreement)
    assert sees(probation_officer, violence) == (False, False)  # a draft shares nothing
    assert AuditEvent.objects.filter(action="dsa.draft", object_id=str(agreement.pk)).exists()


def test_references_count_up_within_the_year(police, probation, violence):
    first = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    second = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


def test_it_refuses_drafting_for_another_partner(police, probation, probation_officer, violence):
    with pytest.raises(PermissionDenied):
        services.dsa_draft(
            provider=police, recipients=[probation], indicators=[violence], by=probation_officer, **terms()
        )


def test_it_refuses_indicators_the_provider_does_not_provide(police, probation, police_officer):
    theirs = make_indicator("REOFF-ADULT", probation)
    with pytest.raises(ValidationError) as exc:
        services.dsa_draft(provider=police, recipients=[probation], indicators=[theirs], by=police_officer, **terms())
    assert "indicators" in exc.value.message_dict


def test_it_refuses_the_provider_as_a_recipient_and_a_review_outside_the_dates(police, probation, violence):
    with pytest.raises(ValidationError) as exc:
        services.dsa_draft(provider=police, recipients=[police], indicators=[violence], by=SYSTEM, **terms())
    assert "recipients" in exc.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.dsa_draft(
            provider=police,
            recipients=[probation],
            indicators=[violence],
            by=SYSTEM,
            **terms(review_date=today + timedelta(days=999)),
        )
    assert "review_date" in exc.value.message_dict


def test_only_a_draft_can_be_changed(police, probation, council, police_officer, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    services.dsa_update(agreement=agreement, by=police_officer, title="New title", recipients=[council])
    agreement = refreshed(agreement)
    assert agreement.title == "New title"
    assert list(agreement.recipients.all()) == [council]
    # the former recipient no longer sees the draft
    assert not DataSharingAgreementGroupObjectPermission.objects.filter(
        content_object=agreement, group=probation.group
    ).exists()
    services.dsa_send(agreement=agreement, by=police_officer)
    with pytest.raises(ValidationError):
        services.dsa_update(agreement=agreement, by=police_officer, title="Too late")


def test_signing_needs_a_recent_second_factor(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    with pytest.raises(StepUpRequired):
        services.dsa_sign(agreement=agreement, by=police_signatory)


def test_an_officer_cannot_sign_and_a_stranger_cannot_sign(police, probation, council, police_officer, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    with pytest.raises(PermissionDenied):
        services.dsa_sign(agreement=agreement, by=police_officer, confirmed_at=just_now())
    stranger = make_person(council, Role.SIGNATORY)
    with pytest.raises(PermissionDenied):
        services.dsa_sign(agreement=agreement, by=stranger, confirmed_at=just_now())


def test_each_partner_signs_once(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    services.dsa_sign(agreement=agreement, by=police_signatory, confirmed_at=just_now())
    deputy = make_person(police, Role.SIGNATORY)
    with pytest.raises(ValidationError, match="already signed"):
        services.dsa_sign(agreement=agreement, by=deputy, confirmed_at=just_now())
    with pytest.raises(ValidationError, match="already signed"):
        services.dsa_sign(agreement=agreement, by=deputy, partner=police, confirmed_at=just_now())
    assert DsaSignature.objects.filter(agreement=agreement).count() == 1


def test_the_database_refuses_a_second_signature_for_a_partner(police, probation, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    DsaSignature.objects.create(agreement=agreement, partner=police, signer_label="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        DsaSignature.objects.create(agreement=agreement, partner=police, signer_label="b")


def test_when_every_party_has_signed_recipients_see_the_totals_at_once(
    police, probation, police_signatory, probation_signatory, probation_officer, violence, neighbourhood
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    services.dsa_sign(agreement=agreement, by=police_signatory, confirmed_at=just_now())
    assert sees(probation_officer, violence) == (False, False)
    services.dsa_sign(agreement=agreement, by=probation_signatory, confirmed_at=just_now())
    assert refreshed(agreement).status == DSA.Status.ACTIVE
    assert sees(probation_officer, violence) == (True, False)  # aggregate only
    assert sees(probation_officer, neighbourhood) == (False, False)  # not covered
    assert not permissions.can(probation_signatory, partner_rules.DSA_SIGN, agreement)  # nothing left to sign
    actions = list(
        AuditEvent.objects.filter(object_id=str(agreement.pk), object_type="partners.datasharingagreement")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["dsa.draft", "dsa.send", "dsa.sign", "dsa.sign", "dsa.activate"]


def test_breakdowns_are_shared_only_when_the_level_allows(police, probation, probation_officer, violence):
    make_dsa(police, [probation], [violence], level=DSA.Level.BREAKDOWNS)
    assert sees(probation_officer, violence) == (True, True)


def test_an_agreement_starting_later_becomes_active_on_its_start_date(police, probation, probation_officer, violence):
    today = timezone.localdate()
    start = today + timedelta(days=3)
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        status=DSA.Status.AWAITING_SIGNATURES,
        start_date=start,
        review_date=start + timedelta(days=30),
    )
    for party in (police, probation):
        services.dsa_sign(agreement=agreement, by=SYSTEM, partner=party)
    assert refreshed(agreement).status == DSA.Status.AWAITING_SIGNATURES
    assert selectors.dsa_get(user=probation_officer, pk=agreement.pk).fully_signed
    assert services.dsa_daily_transitions(today=today) == {"activated": 0, "ended": 0}
    assert services.dsa_daily_transitions(today=start) == {"activated": 1, "ended": 0}
    assert refreshed(agreement).status == DSA.Status.ACTIVE
    assert sees(probation_officer, violence) == (True, False)
    assert services.dsa_daily_transitions(today=start) == {"activated": 0, "ended": 0}  # safe to repeat


def test_suspending_takes_the_data_away_at_once_and_resuming_gives_it_back(
    police, probation, police_signatory, probation_officer, violence
):
    agreement = make_dsa(police, [probation], [violence], level=DSA.Level.BREAKDOWNS)
    with pytest.raises(ValidationError) as exc:
        services.dsa_suspend(agreement=agreement, by=police_signatory, confirmed_at=just_now(), reason="  ")
    assert exc.value.message_dict == {"reason": ["Enter the reason for suspending the agreement"]}
    services.dsa_suspend(agreement=agreement, by=police_signatory, confirmed_at=just_now(), reason="Data quality check")
    agreement = refreshed(agreement)
    assert (agreement.status, agreement.status_reason) == (DSA.Status.SUSPENDED, "Data quality check")
    assert sees(probation_officer, violence) == (False, False)
    services.dsa_resume(agreement=agreement, by=police_signatory, confirmed_at=just_now())
    assert sees(probation_officer, violence) == (True, True)


def test_a_recipient_cannot_suspend_but_the_pcc_office_can(police, probation, probation_officer, pcc_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(PermissionDenied):
        services.dsa_suspend(
            agreement=agreement, by=probation_officer, confirmed_at=just_now(), reason="I would rather not"
        )
    services.dsa_suspend(
        agreement=agreement, by=pcc_officer, confirmed_at=just_now(), reason="Complaint under investigation"
    )
    assert refreshed(agreement).status == DSA.Status.SUSPENDED


def test_suspending_needs_a_recent_second_factor(police, probation, police_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(StepUpRequired):
        services.dsa_suspend(agreement=agreement, by=police_officer, reason="Data quality check")


def test_revoking_keeps_what_another_active_agreement_still_shares(
    police, probation, police_signatory, probation_officer, violence, neighbourhood
):
    broad = make_dsa(police, [probation], [violence, neighbourhood], level=DSA.Level.BREAKDOWNS)
    narrow = make_dsa(police, [probation], [violence])
    services.dsa_revoke(
        agreement=broad, by=police_signatory, confirmed_at=just_now(), reason="Replaced by a narrower one"
    )
    assert refreshed(broad).status == DSA.Status.REVOKED
    assert sees(probation_officer, violence) == (True, False)  # still shared, totals only, by the narrow one
    assert sees(probation_officer, neighbourhood) == (False, False)
    services.dsa_revoke(agreement=narrow, by=police_signatory, confirmed_at=just_now(), reason="No longer needed")
    assert sees(probation_officer, violence) == (False, False)


def test_the_provider_keeps_its_own_figures_whatever_agreements_say(
    police, probation, police_officer, police_signatory, violence
):
    agreement = make_dsa(police, [probation], [violence])
    services.dsa_revoke(agreement=agreement, by=police_signatory, confirmed_at=just_now(), reason="No longer needed")
    dsa_sync_grants(indicator_ids=[violence.pk], group_ids=[police.group_id, probation.group_id])
    assert sees(police_officer, violence) == (True, True)


def test_sync_grants_removes_a_stray_grant_and_restores_a_missing_one(
    police, probation, probation_officer, violence, neighbourhood
):
    make_dsa(police, [probation], [violence])
    permissions.revoke("view_indicator_data", probation.group, violence)
    permissions.grant("view_indicator_data", probation.group, neighbourhood)
    granted, revoked = dsa_sync_grants(indicator_ids=[violence.pk, neighbourhood.pk], group_ids=[probation.group_id])
    assert (granted, revoked) == (1, 1)
    assert sees(probation_officer, violence) == (True, False)
    assert sees(probation_officer, neighbourhood) == (False, False)


def test_an_agreement_ends_the_day_after_its_end_date(police, probation, probation_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    assert not services.dsa_end_if_expired(agreement_id=agreement.pk, today=agreement.end_date)
    assert services.dsa_daily_transitions(today=agreement.end_date + timedelta(days=1)) == {"activated": 0, "ended": 1}
    agreement = refreshed(agreement)
    assert agreement.status == DSA.Status.ENDED and "end date" in agreement.status_reason
    assert sees(probation_officer, violence) == (False, False)


def test_a_suspended_agreement_past_its_end_cannot_be_resumed(police, probation, police_officer, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.SUSPENDED)
    with pytest.raises(ValidationError):
        services.dsa_resume(
            agreement=agreement,
            by=police_officer,
            confirmed_at=just_now(),
            today=agreement.end_date + timedelta(days=1),
        )


def test_deleting_a_draft_leaves_no_permission_rows_behind(police, probation, police_officer, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT, level=DSA.Level.BREAKDOWNS)
    pk = agreement.pk
    assert DataSharingAgreementGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    services.dsa_delete(agreement=agreement, by=police_officer)
    assert not DataSharingAgreementGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    assert not AgreementCoverage.objects.filter(agreement_id=pk).exists()
    assert AuditEvent.objects.filter(action="dsa.delete", object_id=str(pk)).exists()


def test_not_even_an_administrator_deletes_an_agreement_once_sent(police, probation, probation_officer, violence):
    agreement = make_dsa(police, [probation], [violence], level=DSA.Level.BREAKDOWNS)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    # a superuser is the portal's administrator, not one of the provider's officers
    with pytest.raises(PermissionDenied, match="draft data-sharing agreements"):
        services.dsa_delete(agreement=agreement, by=admin)
    with pytest.raises(ValidationError, match="Revoke the agreement instead"):
        services.dsa_delete(agreement=agreement, by=SYSTEM)
    assert DSA.objects.filter(pk=agreement.pk).exists()
    assert sees(probation_officer, violence) == (True, True)


def test_an_officer_deletes_only_a_draft(police, probation, police_officer, violence):
    draft = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    services.dsa_delete(agreement=draft, by=police_officer)
    assert not DSA.objects.filter(pk=draft.pk).exists()
    active = make_dsa(police, [probation], [violence])
    with pytest.raises(ValidationError):
        services.dsa_delete(agreement=active, by=police_officer)


def test_deleting_an_indicator_leaves_no_permission_rows_behind(police, probation, violence):
    agreement = make_dsa(police, [probation], [violence])
    pk = violence.pk
    violence.observations.all().delete()
    violence.delete()
    assert not IndicatorGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    assert covered_codes(refreshed(agreement)) == []


def test_sending_asks_each_partys_signatories_to_sign(
    police,
    probation,
    police_officer,
    police_signatory,
    probation_signatory,
    violence,
    django_capture_on_commit_callbacks,
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.dsa_send(agreement=agreement, by=police_officer)
    # one email each (each person chooses their own emails), and the same in the portal
    assert sorted(message.to for message in mail.outbox) == [[police_signatory.email], [probation_signatory.email]]
    assert {n.user for n in Notification.objects.filter(kind="dsa.signature_requested")} == {
        police_signatory,
        probation_signatory,
    }
    assert services.dsa_request_signatures(agreement_id=agreement.pk) == 0  # once per sending


def test_no_email_leaves_while_the_transaction_is_open_and_none_if_it_rolls_back(
    police,
    probation,
    police_officer,
    police_signatory,
    probation_signatory,
    violence,
    django_capture_on_commit_callbacks,
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.dsa_send(agreement=agreement, by=police_officer)
                services.dsa_request_signatures(agreement_id=agreement.pk)
                assert mail.outbox == []  # queued, not sent, inside the transaction
                raise RuntimeError("something later in the request fails")
    assert callbacks == [] and mail.outbox == []
    assert refreshed(agreement).status == DSA.Status.DRAFT
    assert not Notification.objects.exists()


def test_every_link_in_the_signature_request_is_absolute(
    police,
    probation,
    police_officer,
    police_signatory,
    probation_signatory,
    violence,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PORTAL_BASE_URL = "http://localhost:8123"
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.dsa_send(agreement=agreement, by=police_officer)
    for message in mail.outbox:
        links = re.findall(r"(\S+/sharing-agreements/\S+)", message.body)
        assert links == [f"http://localhost:8123/sharing-agreements/{agreement.pk}/"]
        assert all(link.startswith("http://localhost:8123/") for link in re.findall(r"\S*/\S*/", message.body))


def test_reminders_before_the_review_and_end_dates_go_once(
    police, probation, police_signatory, violence, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    today = date(2026, 12, 1)  # a Tuesday: the 20 working days to the review cross Christmas and New Year
    review = add_working_days(today, 18)
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        as_of=today,
        start_date=today,
        review_date=review,
        end_date=today + timedelta(days=200),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dsa_send_reminders(today=today) == 1
        assert services.dsa_send_reminders(today=today) == 0
    assert len(mail.outbox) == 1
    assert "due for review" in mail.outbox[0].subject and mail.outbox[0].to == [police_signatory.email]
    reminder = Notification.objects.get(user=police_signatory, kind="dsa.review_due")
    assert reminder.url == f"/sharing-agreements/{agreement.pk}/" and reminder.title == mail.outbox[0].subject
    assert f"https://portal.example.org/sharing-agreements/{agreement.pk}/" in mail.outbox[0].body
    assert services.dsa_send_reminders(today=add_working_days(review, -6)) == 0
    assert services.dsa_send_reminders(today=add_working_days(review, -5)) == 1  # the 5-working-day reminder
    assert services.dsa_send_reminders(today=add_working_days(review, -4)) == 0
    assert AuditEvent.objects.filter(action="dsa.reminder_review", object_id=str(agreement.pk)).count() == 2


def test_which_agreement_would_open_hidden_figures(police, probation, council, probation_officer, violence):
    assert target_selectors.dsa_that_would_open(user=probation_officer, indicator=violence) == []
    hint = target_selectors.dsa_sharing_hint(user=probation_officer, indicator=violence)
    assert "Ask West Midlands Police" in hint.text
    waiting = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    make_dsa(police, [council], [violence], status=DSA.Status.AWAITING_SIGNATURES)  # not for probation
    assert target_selectors.dsa_that_would_open(user=probation_officer, indicator=violence) == [waiting]
    assert waiting.reference in target_selectors.dsa_sharing_hint(user=probation_officer, indicator=violence).text
    assert target_selectors.dsa_that_would_open(user=probation_officer, indicator=violence, breakdowns=True) == []


def test_the_daily_tasks_are_scheduled_and_registered():
    from portal.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"partners.end_expired_dsas", "partners.dsa_reminders"} <= scheduled
    assert {"partners.end_expired_dsas", "partners.dsa_reminders", "partners.request_dsa_signatures"} <= set(app.tasks)


def test_the_daily_task_ends_what_has_expired(police, probation, probation_officer, violence):
    from partners.tasks import end_expired_dsas

    today = timezone.localdate()
    start = today - timedelta(days=30)
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        as_of=start,
        start_date=start,
        review_date=today - timedelta(days=20),
        end_date=today - timedelta(days=10),
    )
    assert end_expired_dsas.apply().get() == {"activated": 0, "ended": 1}
    assert refreshed(agreement).status == DSA.Status.ENDED
    assert sees(probation_officer, violence) == (False, False)


def test_the_admin_cannot_delete_an_agreement_around_the_services(police, probation, probation_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    before = AuditEvent.objects.count()
    response = signed_in(admin).post(f"/admin/partners/datasharingagreement/{agreement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert DSA.objects.filter(pk=agreement.pk).exists() and AuditEvent.objects.count() == before
    assert sees(probation_officer, violence) == (True, False)


def test_an_officer_may_suspend_but_not_revoke(police, probation, police_officer, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(PermissionDenied):
        services.dsa_revoke(agreement=agreement, by=police_officer, confirmed_at=just_now(), reason="Stop for good")
    assert refreshed(agreement).status == DSA.Status.ACTIVE
    services.dsa_suspend(agreement=agreement, by=police_officer, confirmed_at=just_now(), reason="Emergency stop")
    assert refreshed(agreement).status == DSA.Status.SUSPENDED
    services.dsa_revoke(agreement=agreement, by=police_signatory, confirmed_at=just_now(), reason="Stop for good")
    assert refreshed(agreement).status == DSA.Status.REVOKED


def test_the_commissioner_may_revoke_but_a_pcc_officer_may_only_suspend(police, probation, pcc, pcc_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(PermissionDenied):
        services.dsa_revoke(agreement=agreement, by=pcc_officer, confirmed_at=just_now(), reason="Stop for good")
    services.dsa_revoke(agreement=agreement, by=pcc, confirmed_at=just_now(), reason="Stop for good")
    assert refreshed(agreement).status == DSA.Status.REVOKED


def test_no_agreement_reminder_on_a_weekend_or_a_bank_holiday(police, probation, police_signatory, violence):
    make_dsa(
        police,
        [probation],
        [violence],
        as_of=date(2026, 12, 1),
        start_date=date(2026, 12, 1),
        review_date=date(2027, 1, 5),
        end_date=date(2027, 12, 1),
    )
    for day in (date(2026, 12, 26), date(2026, 12, 27), date(2026, 12, 28), date(2027, 1, 1)):
        assert services.dsa_send_reminders(today=day) == 0
    assert services.dsa_send_reminders(today=date(2026, 12, 29)) == 1
