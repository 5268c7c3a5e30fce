"""The devolved funds' pages: a grant's whole life through them (apply, add a document, submit, close for
applications, score, moderate, award after a fresh code, pay, return spend, cancel), what each person sees, GOV.UK
messages for bad input with nothing saved, the exports, and the queries a page makes.

Dates are the real today's (the pages act on today), so every date here is worked out from it."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import Application, Award, Fund, Round, Score, SpendReturn
from partners.models import Area, Partner, Role
from portal.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import SYSTEM, just_now, make_partner, make_person, pdf_file

pytestmark = pytest.mark.django_db


def _fy(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def victims(db):
    return make_partner("victims-services", Partner.Kind.VICTIM_SERVICES, "Victim Support West Midlands")


@pytest.fixture
def victims_officer(victims):
    return make_person(victims, Role.OFFICER, "victims.officer")


@pytest.fixture
def organisation(victims, victims_officer):
    return services.organisation_register(
        by=SYSTEM,
        name="Victim Support West Midlands",
        org_id="GB-CHC-1234567",
        partner=victims,
        charity_number="1234567",
    )


@pytest.fixture
def fund(opcc, pcc, pcc_officer, today):
    return services.fund_create(
        by=pcc_officer,
        name="Rape victim support",
        kind=Fund.Kind.RAPE_VICTIM_SUPPORT,
        financial_year=_fy(today),
        budget="100000.00",
        ring_fenced=True,
    )


@pytest.fixture
def round_(fund, pcc_officer, today):
    made = services.round_create(
        fund=fund,
        by=pcc_officer,
        title="ISVA services",
        eligibility="Registered charities.",
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=40),
        max_award="50000.00",
        criteria=[("Need", 60), ("Value for money", 40)],
    )
    return services.round_open(round_=made, by=pcc_officer, today=today)


@pytest.fixture
def area(db):
    return Area.objects.order_by("pk").first() or Area.objects.create(name="Coventry", code="E08000026")


def _text(response) -> str:
    return response.content.decode()


def _application(round_, organisation, officer, today, *, submit=True, amount="30000.00"):
    made = services.application_draft(
        round_=round_,
        organisation=organisation,
        by=officer,
        project_title="Two ISVAs",
        summary="Advisers.",
        amount_asked=amount,
        budget_lines=[("Salaries", amount)],
        today=today,
    )
    if submit:
        made = services.application_submit(application=made, by=officer, meets_eligibility=True, today=today)
    return made


def test_a_grant_from_application_to_cancellation_through_the_pages(
    round_, organisation, victims_officer, pcc_officer, pcc, area, today
):
    officer = signed_in(victims_officer)
    # The round is offered to the applicant's officer.
    page = officer.get(reverse("funding:round", args=[round_.pk]))
    assert "Apply to this round" in _text(page)
    # Nothing chosen: GOV.UK messages, nothing saved.
    empty = officer.post(reverse("funding:application-draft", args=[round_.pk]), {})
    assert empty.status_code == 200
    assert "Enter the project" in _text(empty) and "Select at least one area" in _text(empty)
    assert not Application.objects.exists()
    data = {
        "organisation": organisation.pk,
        "project_title": "Two ISVAs",
        "summary": "Advisers for survivors.",
        "amount_asked": "£30,000.00",
        "line_1_item": "Salaries",
        "line_1_amount": "25000",
        "line_2_item": "Training",
        "line_2_amount": "5000.00",
        "areas": [area.pk],
    }
    made = officer.post(reverse("funding:application-draft", args=[round_.pk]), data)
    application = Application.objects.get()
    assert made.status_code == 302 and made["Location"] == application.get_absolute_url()
    assert application.amount_asked == Decimal("30000.00") and application.budget_lines.count() == 2
    added = officer.post(
        reverse("funding:application-documents", args=[application.pk]),
        {"document-title": "Business case", "document-file": pdf_file()},
    )
    assert added.status_code == 302 and application.attachments.count() == 1
    download = officer.get(
        reverse("funding:application-attachment", args=[application.pk, application.attachments.get().pk])
    )
    assert download.status_code == 200
    # Submitting needs the eligibility confirmed.
    refused = officer.post(reverse("funding:application-submit", args=[application.pk]), {})
    assert "Confirm that the organisation meets" in _text(refused)
    officer.post(reverse("funding:application-submit", args=[application.pk]), {"meets_eligibility": "on"})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    office = signed_in(pcc_officer)
    office.post(reverse("funding:round-assess", args=[round_.pk]), {})
    round_.refresh_from_db()
    assert round_.status == Round.Status.ASSESSMENT
    criteria = list(round_.criteria.all())
    half = office.post(reverse("funding:application-assess", args=[application.pk]), {f"score_{criteria[0].pk}": "4"})
    assert "Enter the reasons for the score" in _text(half) and not Score.objects.exists()
    scores = {}
    for c, s in zip(criteria, ("4", "5")):
        scores[f"score_{c.pk}"], scores[f"rationale_{c.pk}"] = s, "Clear evidence."
    scored = office.post(reverse("funding:application-assess", args=[application.pk]), scores)
    assert scored.status_code == 302 and Score.objects.count() == 2
    ranked = office.get(reverse("funding:moderation", args=[round_.pk]))
    assert "4.40 of 5" in _text(ranked)  # (4 x 60 + 5 x 40) / 100
    export = office.get(reverse("funding:moderation-export", args=[round_.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert any(r[:2] == ["1", str(application.pk)] for r in rows)

    # The Commissioner: the schedule must add up to the award; after that, the award and its PCC decision.
    commissioner = signed_in(pcc)
    due = today + timedelta(days=7)
    award_url = reverse("funding:application-award", args=[application.pk])
    wrong = commissioner.post(
        award_url,
        {
            "amount": "30000.00",
            "reasons": "Strong.",
            "instalment_1_due-day": due.day,
            "instalment_1_due-month": due.month,
            "instalment_1_due-year": due.year,
            "instalment_1_amount": "20000.00",
        },
    )
    assert "The instalments add up to £20,000.00" in _text(wrong) and not Award.objects.exists()
    done = commissioner.post(
        award_url,
        {
            "amount": "30000.00",
            "reasons": "Strong.",
            "instalment_1_due-day": today.day,
            "instalment_1_due-month": today.month,
            "instalment_1_due-year": today.year,
            "instalment_1_amount": "10000.00",
            "instalment_2_due-day": due.day,
            "instalment_2_due-month": due.month,
            "instalment_2_due-year": due.year,
            "instalment_2_amount": "20000.00",
        },
    )
    award = Award.objects.get()
    assert done["Location"] == award.get_absolute_url()
    assert award.fund.committed == Decimal("30000.00") and award.pcc_decision.number
    # The grantee sees it; the office records the first payment.
    assert "£30,000.00" in _text(officer.get(award.get_absolute_url()))
    first = award.instalments.order_by("due_on").first()
    office.post(
        reverse("funding:instalment-pay", args=[award.pk, first.pk]),
        {"paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year},
    )
    award.refresh_from_db()
    assert award.paid == Decimal("10000.00") and award.status == Award.Status.PAYING
    # The Commissioner cancels: the £20,000 not paid goes back.
    no_reason = commissioner.post(reverse("funding:award-cancel", args=[award.pk]), {})
    assert "Enter the reasons" in _text(no_reason)
    commissioner.post(reverse("funding:award-cancel", args=[award.pk]), {"reasons": "The service closed."})
    award.refresh_from_db()
    fund = Fund.objects.get()
    assert award.status == Award.Status.CANCELLED
    assert (fund.committed, fund.paid, fund.available) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("90000.00"),
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "application.draft",
        "application.attachment_add",
        "application.submit",
        "award.cancel",
        "award.pay",
    } <= actions


def test_the_award_page_asks_for_a_fresh_code_first(round_, organisation, victims_officer, pcc_officer, pcc, today):
    application = _application(round_, organisation, victims_officer, today)
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    asked = signed_in(pcc, stepped_up=False).get(reverse("funding:application-award", args=[application.pk]))
    assert asked.status_code == 302 and reverse("portal:step-up") in asked["Location"]
    # An officer of the PCC office may not award at all.
    assert signed_in(pcc_officer).get(reverse("funding:application-award", args=[application.pk])).status_code == 403


def test_another_partner_gets_nothing_of_an_application_or_award(
    round_, organisation, victims_officer, pcc_officer, pcc, police_officer, today
):
    application = _application(round_, organisation, victims_officer, today)
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    award = services.award_make(
        application=application,
        by=pcc,
        amount="30000.00",
        instalments=[(today, "30000.00")],
        reasons="Good.",
        confirmed_at=just_now(),
        today=today,
    )
    other = signed_in(police_officer)
    assert other.get(application.get_absolute_url()).status_code == 404
    assert other.get(award.get_absolute_url()).status_code == 404
    assert "Two ISVAs" not in _text(other.get(reverse("funding:applications")))
    assert "Two ISVAs" not in _text(other.get(reverse("funding:awards")))
    assert other.get(reverse("funding:funds")).status_code == 403
    mine = signed_in(victims_officer)
    assert "Two ISVAs" in _text(mine.get(reverse("funding:awards")))


def test_a_spend_return_is_submitted_once_its_quarter_has_ended(
    round_, organisation, victims_officer, pcc_officer, pcc, today
):
    application = _application(round_, organisation, victims_officer, today)
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    award = services.award_make(
        application=application,
        by=pcc,
        amount="30000.00",
        instalments=[(today, "30000.00")],
        reasons="Good.",
        confirmed_at=just_now(),
        today=today,
    )
    row = award.spend_returns.get()
    officer = signed_in(victims_officer)
    early = officer.get(reverse("funding:spend-return", args=[award.pk, row.pk]))
    assert early.status_code == 302  # the quarter has not ended: back to the award, saying so
    SpendReturn.objects.filter(pk=row.pk).update(
        period_start=today - timedelta(days=100), period_end=today - timedelta(days=10)
    )
    bad = officer.post(reverse("funding:spend-return", args=[award.pk, row.pk]), {"spend": "12.345", "outcomes": ""})
    assert "at most 2 numbers after the point" in _text(bad) and "Enter the outcomes" in _text(bad)
    officer.post(
        reverse("funding:spend-return", args=[award.pk, row.pk]), {"spend": "1,250.50", "outcomes": "40 survivors."}
    )
    row.refresh_from_db()
    assert row.spend == Decimal("1250.50") and row.submitted_at is not None
    assert signed_in(pcc_officer).get(reverse("funding:spend-return", args=[award.pk, row.pk])).status_code == 403


def test_the_fund_page_shows_its_position_and_where_the_money_went(
    round_, organisation, victims_officer, pcc_officer, pcc, board_member, area, today, django_assert_max_num_queries
):
    application = _application(round_, organisation, victims_officer, today)
    application.areas.set([area])
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    services.award_make(
        application=application,
        by=pcc,
        amount="30000.00",
        instalments=[(today, "30000.00")],
        reasons="Good.",
        confirmed_at=just_now(),
        today=today,
    )
    services.income_record(fund=round_.fund, by=pcc_officer, source="Fines", received_on=today, amount="500.25")
    board = signed_in(board_member)
    with django_assert_max_num_queries(40):
        page = board.get(round_.fund.get_absolute_url())
    text = _text(page)
    assert "£100,500.25" in text and "£70,500.25" in text  # budget plus income; available
    assert area.name in text and "No programme" in text
    export = board.get(reverse("funding:fund-export", args=[round_.fund.pk, "xlsx"]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_office_sets_up_a_fund_records_income_and_opens_a_round(opcc, pcc_officer, today):
    office = signed_in(pcc_officer)
    bad = office.post(reverse("funding:fund-create"), {"name": "", "budget": "1.5e3"})
    assert "Enter the fund" in _text(bad) and "pounds and pence" in _text(bad) and not Fund.objects.exists()
    office.post(
        reverse("funding:fund-create"),
        {
            "name": "Proceeds of crime",
            "kind": "proceeds_of_crime",
            "financial_year": _fy(today),
            "budget": "-1",
            "ring_fenced": "no",
        },
    )
    assert not Fund.objects.exists()  # a budget below £0 is refused
    office.post(
        reverse("funding:fund-create"),
        {
            "name": "Proceeds of crime",
            "kind": "proceeds_of_crime",
            "financial_year": _fy(today),
            "budget": "0",
            "ring_fenced": "no",
        },
    )  # a fund of income only
    fund = Fund.objects.get()
    office.post(
        reverse("funding:income-record", args=[fund.pk]),
        {
            "source": "POCA receipts",
            "received_on-day": today.day,
            "received_on-month": today.month,
            "received_on-year": today.year,
            "amount": "2500.00",
        },
    )
    fund.refresh_from_db()
    assert fund.income_total == Decimal("2500.00")
    missing_weight = office.post(
        reverse("funding:round-create", args=[fund.pk]),
        {
            "title": "Community projects",
            "eligibility": "Charities.",
            "opens_on-day": today.day,
            "opens_on-month": today.month,
            "opens_on-year": today.year,
            "closes_on-day": today.day,
            "closes_on-month": today.month,
            "closes_on-year": today.year + 1,
            "max_award": "1000",
            "criterion_1": "Need",
        },
    )
    assert "weight, from 1 to 100" in _text(missing_weight) and not Round.objects.exists()
    office.post(
        reverse("funding:round-create", args=[fund.pk]),
        {
            "title": "Community projects",
            "eligibility": "Charities.",
            "opens_on-day": today.day,
            "opens_on-month": today.month,
            "opens_on-year": today.year,
            "closes_on-day": today.day,
            "closes_on-month": today.month,
            "closes_on-year": today.year + 1,
            "max_award": "1000",
            "criterion_1": "Need",
            "weight_1": "100",
        },
    )
    round_ = Round.objects.get()
    assert round_.status == Round.Status.DRAFT
    office.post(reverse("funding:round-open", args=[round_.pk]), {})
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN


def test_a_draft_round_is_the_offices_own(fund, pcc_officer, victims_officer, today):
    draft = services.round_create(
        fund=fund,
        by=pcc_officer,
        title="Draft",
        eligibility="E",
        opens_on=today,
        closes_on=today,
        max_award="10.00",
        criteria=[("Need", 1)],
    )
    assert signed_in(victims_officer).get(draft.get_absolute_url()).status_code == 404
    assert signed_in(pcc_officer).get(draft.get_absolute_url()).status_code == 200


def test_a_conflicted_assessor_is_not_offered_scoring(round_, organisation, victims_officer, pcc_officer, today):
    application = _application(round_, organisation, victims_officer, today)
    office = signed_in(pcc_officer)
    office.post(reverse("funding:application-conflict", args=[application.pk]), {"reason": "I am a trustee."})
    page = _text(office.get(application.get_absolute_url()))
    assert "Score this application" not in page and "You declared a conflict" in page
    assert office.get(reverse("funding:application-assess", args=[application.pk])).status_code == 302
