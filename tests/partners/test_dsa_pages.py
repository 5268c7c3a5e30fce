"""The agreements register, the agreement page, its forms and the sharing matrix (HTML)."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import DataSharingAgreement, Role
from portal.security import STEP_UP_AT_KEY
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa, make_person, refreshed

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def figures_shown(client, code="SV-1000") -> bool:
    """Does the indicator page show its figures (the test figure 1.25) to this client?"""
    page = client.get(f"/indicators/{code}/").content.decode()
    shown = "1.25" in page
    assert shown != ("not shared" in page)
    return shown


def references(response) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', response.content.decode())


def date_fields(name, day) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def draft_form(recipients, indicators, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Violence figures for probation",
        "purpose": "Plan offender management together",
        "lawful_basis": DSA.LawfulBasis.LAW_ENFORCEMENT,
        "special_category_data": "no",
        "criminal_offence_data": "yes",
        "recipients": [p.pk for p in recipients],
        "indicators": [i.pk for i in indicators],
        "level": DSA.Level.AGGREGATE,
        "retention": "Two years, then deleted",
        "security_measures": "Two-factor portal access",
        "contacts": "Both data protection officers",
        **date_fields("start_date", today),
        **date_fields("end_date", today + timedelta(days=365)),
        **date_fields("review_date", today + timedelta(days=180)),
    }
    data.update(overrides)
    return data


def test_the_whole_journey_in_pages_changes_what_the_recipient_sees_at_once(
    police, probation, police_officer, police_signatory, probation_signatory, probation_officer, violence
):
    recipient = signed_in(probation_officer)
    assert not figures_shown(recipient)
    officer = signed_in(police_officer)
    response = officer.post("/sharing-agreements/new/", draft_form([probation], [violence]))
    assert response.status_code == 302
    agreement = DSA.objects.get()
    assert response["Location"] == agreement.get_absolute_url()
    assert officer.post(f"/sharing-agreements/{agreement.pk}/send/").status_code == 302
    assert refreshed(agreement).status == DSA.Status.AWAITING_SIGNATURES
    for signatory in (police_signatory, probation_signatory):
        page = signed_in(signatory).get(f"/sharing-agreements/{agreement.pk}/sign/")
        assert page.status_code == 200 and "Sign the agreement" in page.content.decode()
        assert (
            signed_in(signatory).post(f"/sharing-agreements/{agreement.pk}/sign/", {"confirm": "on"}).status_code == 302
        )
    assert refreshed(agreement).status == DSA.Status.ACTIVE
    assert figures_shown(recipient)

    provider = signed_in(police_signatory)
    response = provider.post(f"/sharing-agreements/{agreement.pk}/suspend/", {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for suspending the agreement" in response.content.decode()
    assert figures_shown(recipient)
    assert (
        provider.post(
            f"/sharing-agreements/{agreement.pk}/suspend/", {"reason": "Checking a data quality problem"}
        ).status_code
        == 302
    )
    assert not figures_shown(recipient)
    assert provider.post(f"/sharing-agreements/{agreement.pk}/resume/", {"reason": ""}).status_code == 302
    assert figures_shown(recipient)
    assert (
        provider.post(
            f"/sharing-agreements/{agreement.pk}/revoke/", {"reason": "Replaced by a new agreement"}
        ).status_code
        == 302
    )
    assert not figures_shown(recipient)
    page = recipient.get(agreement.get_absolute_url()).content.decode()
    for words in (
        "drafted",
        "sent for signatures",
        "signed for",
        "is active",
        "suspended",
        "resumed",
        "revoked",
        "Replaced by a new agreement",
    ):
        assert words in page


def test_ending_on_the_end_date_hides_the_figures_from_the_recipient(police, probation, probation_officer, violence):
    from partners.services import dsa_daily_transitions

    agreement = make_dsa(police, [probation], [violence])
    recipient = signed_in(probation_officer)
    assert figures_shown(recipient)
    dsa_daily_transitions(today=agreement.end_date + timedelta(days=1))
    assert not figures_shown(recipient)


def test_the_draft_form_shows_govuk_errors(police, probation, police_officer, violence):
    response = signed_in(police_officer).post(
        "/sharing-agreements/new/",
        draft_form(
            [], [], title="", lawful_basis="", **{"start_date-day": "", "start_date-month": "", "start_date-year": ""}
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    for message in (
        "Enter a title for the agreement",
        "Select the lawful basis for sharing",
        "Select at least one recipient",
        "Select at least one indicator",
        "Enter the start date",
    ):
        assert message in page
    assert not DSA.objects.exists()


def test_the_draft_form_refuses_the_provider_as_recipient(police, police_officer, violence):
    client = signed_in(police_officer)
    assert (
        f'name="recipients" type="checkbox" value="{police.pk}"'
        not in client.get("/sharing-agreements/new/").content.decode()
    )
    response = client.post("/sharing-agreements/new/", draft_form([police], [violence]))
    assert "the provider cannot be one" in response.content.decode()
    assert not DSA.objects.exists()


def test_only_officers_may_draft(police, probation_officer, police_signatory, board_member, violence):
    assert signed_in(police_signatory).get("/sharing-agreements/new/").status_code == 403
    assert signed_in(board_member).get("/sharing-agreements/new/").status_code == 403


def test_the_draft_can_be_changed_and_deleted_by_the_provider_only(
    police, probation, police_officer, probation_officer, violence
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    edit = f"/sharing-agreements/{agreement.pk}/edit/"
    assert signed_in(probation_officer).get(edit).status_code == 403
    officer = signed_in(police_officer)
    assert "Recorded violence" in officer.get(edit).content.decode()
    assert officer.post(edit, draft_form([probation], [violence], title="Changed title")).status_code == 302
    assert refreshed(agreement).title == "Changed title"
    assert signed_in(probation_officer).post(f"/sharing-agreements/{agreement.pk}/delete/").status_code == 403
    assert officer.post(f"/sharing-agreements/{agreement.pk}/delete/").status_code == 302
    assert not DSA.objects.filter(pk=agreement.pk).exists()


def test_signing_without_a_recent_second_factor_asks_for_the_code_first(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    client = signed_in(police_signatory)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    response = client.post(f"/sharing-agreements/{agreement.pk}/sign/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/")
    assert not agreement.signatures.exists()


def test_a_signature_needs_the_confirmation(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    response = signed_in(police_signatory).post(f"/sharing-agreements/{agreement.pk}/sign/", {})
    assert "Confirm that you have read the agreement and may sign it" in response.content.decode()
    assert not agreement.signatures.exists()


def test_the_register_lists_exactly_the_agreements_of_the_viewers_partner(
    police,
    probation,
    council,
    police_officer,
    probation_officer,
    council_officer,
    pcc_officer,
    board_member,
    violence,
    neighbourhood,
):
    to_probation = make_dsa(police, [probation], [violence], title="To probation")
    to_council = make_dsa(police, [council], [neighbourhood], status=DSA.Status.SUSPENDED, title="To council")
    draft = make_dsa(police, [council, probation], [violence], status=DSA.Status.DRAFT, title="Draft")
    every = {to_probation.reference, to_council.reference, draft.reference}
    assert set(references(signed_in(police_officer).get("/sharing-agreements/"))) == every
    assert set(references(signed_in(pcc_officer).get("/sharing-agreements/"))) == every
    assert set(references(signed_in(probation_officer).get("/sharing-agreements/"))) == {
        to_probation.reference,
        draft.reference,
    }
    assert set(references(signed_in(council_officer).get("/sharing-agreements/"))) == {
        to_council.reference,
        draft.reference,
    }
    assert references(signed_in(board_member).get("/sharing-agreements/")) == []  # OPCC is no party here
    filtered = signed_in(pcc_officer).get("/sharing-agreements/?status=suspended")
    assert references(filtered) == [to_council.reference]
    filtered = signed_in(pcc_officer).get(f"/sharing-agreements/?partner={probation.pk}&indicator={violence.pk}")
    assert set(references(filtered)) == {to_probation.reference, draft.reference}


def test_an_agreement_page_is_not_found_for_a_partner_outside_it(police, probation, council, council_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    client = signed_in(council_officer)
    for suffix in ("", "edit/", "send/", "sign/", "suspend/", "resume/", "revoke/", "delete/"):
        assert client.get(f"/sharing-agreements/{agreement.pk}/{suffix}").status_code == 404, suffix


def test_a_recipient_may_read_but_not_suspend(police, probation, probation_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    client = signed_in(probation_officer)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert agreement.title in page and "Suspend" not in page
    assert client.post(f"/sharing-agreements/{agreement.pk}/suspend/", {"reason": "x"}).status_code == 403
    assert refreshed(agreement).status == DSA.Status.ACTIVE


def test_the_pcc_office_may_suspend_any_agreement(police, probation, pcc, violence):
    agreement = make_dsa(police, [probation], [violence])
    response = signed_in(pcc).post(f"/sharing-agreements/{agreement.pk}/suspend/", {"reason": "Complaint"})
    assert response.status_code == 302 and refreshed(agreement).status == DSA.Status.SUSPENDED


def test_the_matrix_shows_active_sharing_to_everyone_but_links_only_for_parties(
    police, probation, council, council_officer, police_officer, board_member, violence, neighbourhood
):
    active = make_dsa(police, [probation], [violence], level=DSA.Level.BREAKDOWNS)
    make_dsa(police, [council], [neighbourhood], status=DSA.Status.SUSPENDED)
    page = signed_in(council_officer).get("/sharing-agreements/who-shares-what/").content.decode()
    matrix = page[page.index('id="sharing-matrix"') :]
    # each provider, then each recipient, with the indicators and the level in words
    line = re.search(
        r'<li data-provider="west-midlands-police" data-recipient="probation-west-midlands">(.*?)</li>', matrix, re.S
    ).group(1)
    assert " ".join(re.sub(r"<[^>]+>", "", line).split()) == (
        f"Shares SV-1000 (aggregate figures and breakdowns) with {probation.name}, under agreement {active.reference}"
    )
    assert "NC-1000" not in matrix  # suspended: not shared
    assert active.get_absolute_url() not in matrix  # the council is no party: no link to the terms
    as_provider = signed_in(police_officer).get("/sharing-agreements/who-shares-what/").content.decode()
    assert active.get_absolute_url() in as_provider  # a party: the reference links to the terms
    assert council.name in page[page.index('id="not-sharing"') :]  # shares nothing, said in words
    assert signed_in(board_member).get("/sharing-agreements/who-shares-what/").status_code == 200


def test_the_start_page_lists_agreements_awaiting_my_signature(police, probation, probation_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    page = signed_in(probation_signatory).get("/").content.decode()
    assert f"/sharing-agreements/{agreement.pk}/sign/" in page and "Awaiting your signature" in page


def test_the_start_page_lists_reviews_due_to_the_provider(
    police, probation, police_officer, probation_officer, violence
):
    today = timezone.localdate()
    agreement = make_dsa(police, [probation], [violence], review_date=today + timedelta(days=10))
    assert "Review due" in signed_in(police_officer).get("/").content.decode()
    assert agreement.get_absolute_url() not in signed_in(probation_officer).get("/").content.decode()


def test_the_partner_page_lists_its_agreements_the_viewer_may_see(
    police, probation, council, police_officer, council_officer, violence
):
    agreement = make_dsa(police, [probation], [violence])
    assert agreement.reference in signed_in(police_officer).get("/partners/probation-west-midlands/").content.decode()
    assert (
        agreement.reference not in signed_in(council_officer).get("/partners/probation-west-midlands/").content.decode()
    )


def test_someone_signing_for_two_parties_chooses_which(police, probation, violence):
    from partners.services import membership_add

    person = make_person(police, Role.SIGNATORY)
    membership_add(user=person, partner=probation, role=Role.SIGNATORY, by=SYSTEM)
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    client = signed_in(person)
    response = client.post(f"/sharing-agreements/{agreement.pk}/sign/", {"confirm": "on"})
    assert "Select the partner you are signing for" in response.content.decode()
    assert (
        client.post(f"/sharing-agreements/{agreement.pk}/sign/", {"confirm": "on", "partner": probation.pk}).status_code
        == 302
    )
    assert list(agreement.signatures.values_list("partner__slug", flat=True)) == ["probation-west-midlands"]
