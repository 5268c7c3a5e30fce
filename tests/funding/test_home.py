"""The devolved funds on the start page: a grantee's late spend return is on its own officers' page and the PCC
office's, never on another partner's; what waits is counted at a glance, for a bounded number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding import home_items, services
from funding.models import Fund, SpendReturn
from tests.conftest import signed_in
from tests.factories import SYSTEM, just_now

from .conftest import TODAY, apply

pytestmark = pytest.mark.django_db

# A grant awarded on Monday 2 June 2025, paid on 16 June and 15 September 2025: returns for April to June 2025
# (due 28 July 2025: never sent, so late from 29 July) and July to September 2025 (sent on 6 October).
AWARDED = date(2025, 6, 2)
SCHEDULE = [(date(2025, 6, 16), "20000.00"), (date(2025, 9, 15), "20000.00")]
DUE = date(2025, 7, 28)


def grant(organisation, officer, pcc, pcc_officer, *, title="Advisers for survivors", year=2025) -> SpendReturn:
    """A grant from a round run in the spring of `year`, its second return sent: its first return, which it
    returns, is left unsent."""
    fund = Fund.objects.filter(financial_year=year).first() or services.fund_create(
        by=pcc_officer,
        name="Rape victim support",
        kind=Fund.Kind.RAPE_VICTIM_SUPPORT,
        financial_year=year,
        budget="500000.00",
        ring_fenced=True,
    )
    opens = date(year, 4, 1)
    round_ = services.round_create(
        fund=fund,
        by=pcc_officer,
        title=f"{title} {year}",
        eligibility="Victims' services in the West Midlands.",
        opens_on=opens,
        closes_on=date(year, 5, 9),
        max_award="50000.00",
        criteria=[("Need", 60), ("Cost", 40)],
    )
    round_ = services.round_open(round_=round_, by=pcc_officer, today=opens)
    application = services.application_draft(
        round_=round_,
        organisation=organisation,
        by=officer,
        project_title=title,
        summary="Two advisers.",
        amount_asked="40000.00",
        budget_lines=[("Advisers", "40000.00")],
        today=date(year, 4, 14),
    )
    services.application_submit(application=application, by=officer, meets_eligibility=True, today=date(year, 4, 14))
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    award = services.award_make(
        application=application,
        by=pcc,
        amount="40000.00",
        instalments=[(d.replace(year=year), a) for d, a in SCHEDULE],
        reasons="A proven service.",
        confirmed_at=just_now(),
        today=AWARDED.replace(year=year),
    )
    first = award.instalments.order_by("due_on").first()
    services.instalment_pay(instalment=first, by=pcc_officer, paid_on=first.due_on, today=first.due_on)
    sent = award.spend_returns.get(period_start=date(year, 7, 1))
    services.spend_return_submit(
        spend_return=sent, by=officer, spend="9000.00", outcomes="40 survivors supported.", today=date(year, 10, 6)
    )
    return award.spend_returns.get(period_start=date(year, 4, 1))


@pytest.fixture
def late(organisation, victims_officer, pcc, pcc_officer) -> SpendReturn:
    return grant(organisation, victims_officer, pcc, pcc_officer)


@pytest.fixture
def probation_applicant(probation, probation_officer):
    """Another partner that applies for funds, with its own organisation."""
    return services.organisation_register(
        by=SYSTEM, name="Probation West Midlands", org_id="GB-GOR-PB12", partner=probation
    )


def hrefs(section, tag: str) -> list[str]:
    return [item["href"] for item in section.items if item["tag"]["text"] == tag]


def glance(section) -> dict:
    return {g["label"]: g["count"] for g in section.glance}


# --- The start page ----------------------------------------------------------------------------------------
def test_the_grantees_officer_sees_its_late_return_on_the_start_page(late, victims_officer):
    page = signed_in(victims_officer).get("/").content.decode()
    assert "Your grants and applications" in page
    assert late.award.get_absolute_url() in page and "(the quarter to 30 June 2025): it is late" in page
    assert "Late spend returns" in page


def test_another_partners_officer_does_not_see_it(late, probation_applicant, probation_officer, police_officer):
    page = signed_in(probation_officer).get("/").content.decode()
    assert "Your grants and applications" in page  # (its partner applies for funds)
    assert late.award.get_absolute_url() not in page and "Advisers for survivors" not in page
    assert glance(home_items.funds_applicant_section(probation_officer))["Late spend returns"] == 0
    # A partner that does not apply has no such section at all.
    assert home_items.funds_applicant_section(police_officer) is None
    assert "Your grants and applications" not in signed_in(police_officer).get("/").content.decode()


def test_the_pcc_office_sees_it_and_counts_it_at_a_glance(late, pcc_officer, pcc, board_member):
    page = signed_in(pcc_officer).get("/").content.decode()
    assert "Devolved funds" in page and late.award.get_absolute_url() in page
    assert (
        "Victim Support West Midlands: the spend return for Advisers for survivors (the quarter to 30 June 2025)"
        in page
    )
    for person in (pcc_officer, pcc):
        section = home_items.funds_office_section(person)
        assert hrefs(section, "Late") == [late.award.get_absolute_url()]
        assert glance(section)["Late spend returns"] == 1
    assert home_items.funds_office_section(board_member) is None
    assert home_items.funds_applicant_section(pcc_officer) is None


# --- On pinned days --------------------------------------------------------------------------------------------
def test_a_return_is_due_until_its_due_date_then_late(late, victims_officer, pcc_officer):
    url = late.award.get_absolute_url()
    on_the_day = home_items.funds_applicant_section(victims_officer, today=DUE)
    assert hrefs(on_the_day, "Return due") == [url] and hrefs(on_the_day, "Late") == []
    assert glance(on_the_day)["Spend returns to send"] == 1
    assert hrefs(home_items.funds_office_section(pcc_officer, today=DUE), "Late") == []
    after = home_items.funds_applicant_section(victims_officer, today=date(2025, 7, 29))
    assert hrefs(after, "Late") == [url] and glance(after)["Late spend returns"] == 1
    assert hrefs(home_items.funds_office_section(pcc_officer, today=date(2025, 7, 29)), "Late") == [url]
    # Before its quarter ends, nothing is asked for; once it is in, nothing is.
    assert hrefs(home_items.funds_applicant_section(victims_officer, today=date(2025, 6, 30)), "Return due") == []
    services.spend_return_submit(
        spend_return=late, by=victims_officer, spend="7000.00", outcomes="Late, but in.", today=date(2025, 12, 1)
    )
    assert glance(home_items.funds_applicant_section(victims_officer))["Late spend returns"] == 0
    assert glance(home_items.funds_office_section(pcc_officer))["Late spend returns"] == 0


def test_the_pcc_office_sees_the_instalments_due_in_the_next_ten_working_days(late, pcc_officer):
    url = late.award.get_absolute_url()
    # 15 September 2025 is 10 working days after 1 September (a Monday), 11 after 29 August.
    assert hrefs(home_items.funds_office_section(pcc_officer, today=date(2025, 8, 29)), "Payment due") == []
    section = home_items.funds_office_section(pcc_officer, today=date(2025, 9, 1))
    assert hrefs(section, "Payment due") == [url]
    assert "Pay £20,000.00 to Victim Support West Midlands for Advisers for survivors" in section.items[-1]["text"]
    assert hrefs(home_items.funds_office_section(pcc_officer, today=date(2025, 9, 16)), "Overdue") == [url]


def test_the_pcc_office_sees_the_applications_awaiting_assessment_and_how_far_it_got(
    in_assessment, round_, pcc_officer, pcc
):
    def tags():
        return [i["tag"]["text"] for i in home_items.funds_office_section(pcc_officer, today=TODAY).items]

    assert (
        tags() == ["To score"] and glance(home_items.funds_office_section(pcc_officer))["Applications to assess"] == 1
    )
    need, deliverability, value = round_.criteria.order_by("order")
    services.score_record(application=in_assessment, criterion=need, by=pcc_officer, score=4, rationale="Shown.")
    assert tags() == ["Part scored"]
    for criterion in (deliverability, value):
        services.score_record(application=in_assessment, criterion=criterion, by=pcc_officer, score=3, rationale="OK.")
    assert tags() == ["Scored"]
    services.conflict_declare(application=in_assessment, by=pcc, reason="My cousin chairs its board.")
    assert [i["tag"]["text"] for i in home_items.funds_office_section(pcc, today=TODAY).items] == ["Conflict declared"]


def test_an_applicant_sees_its_drafts_and_the_open_rounds_but_not_another_partners_drafts(
    round_, organisation, victims_officer, probation_applicant, probation_officer
):
    draft = apply(round_, organisation, victims_officer, submit=False)
    mine = home_items.funds_applicant_section(victims_officer, today=TODAY)
    assert hrefs(mine, "Draft") == [draft.get_absolute_url()]
    assert [i["text"] for i in mine.items if i["tag"]["text"] == "Open"] == [
        "Independent sexual violence advisers 2026-27 (Rape victim support) is open for applications until "
        "29 January 2027"
    ]
    theirs = home_items.funds_applicant_section(probation_officer, today=TODAY)
    assert hrefs(theirs, "Draft") == [] and glance(theirs)["Funding rounds open"] == 1
    # Once the round has closed, neither the draft nor the round is offered.
    after = home_items.funds_applicant_section(victims_officer, today=date(2027, 1, 30))
    assert hrefs(after, "Draft") == [] and hrefs(after, "Open") == []


# --- Queries ---------------------------------------------------------------------------------------------------
def queries(section, user) -> int:
    section(user)  # (warm: the content types are cached once in a process)
    user = type(user).objects.get(pk=user.pk)  # (afresh: a request's user has no cached seats)
    with CaptureQueriesContext(connection) as captured:
        section(user)
    return len(captured)


def test_the_sections_cost_the_same_few_queries_however_many_grants(
    late, organisation, victims_officer, pcc, pcc_officer
):
    office, applicant = (
        queries(home_items.funds_office_section, pcc_officer),
        queries(home_items.funds_applicant_section, victims_officer),
    )
    for year in (2021, 2022, 2023, 2024):
        grant(organisation, victims_officer, pcc, pcc_officer, title=f"Advisers {year}", year=year)
    assert glance(home_items.funds_applicant_section(victims_officer))["Late spend returns"] == 5
    assert queries(home_items.funds_office_section, pcc_officer) == office <= 6
    assert queries(home_items.funds_applicant_section, victims_officer) == applicant <= 6
