"""The devolved funds in the permission matrix's world (tests/test_permission_matrix.py calls `build`).

Each partner of the world applies for itself through its own funding organisation: own is the council's, sharing
the police's, other probation's (sharing data gives nobody anything here: funding is guarded through the
applying organisation). One fund, the same for every variant. Rounds: own is open for applications, sharing is in
assessment, other is a draft. Applications: own, the council's draft in the open round (with a document);
sharing and other, the police's and probation's submitted to the round in assessment, not yet decided. Awards:
each partner's grant from the round in assessment (one instalment due in 14 days, one paid). Instalments and
spend returns are each award's first (the council's quarter over, the others' not). The programme is the same for every variant.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from partners.models import Partner
from tests.factories import SYSTEM, pdf_file

VARIANTS = ("own", "sharing", "other")


def build(council: Partner, police: Partner, probation: Partner, people: dict) -> dict:
    from funding import services
    from funding.models import Fund

    today = date.today()
    pcc_officer, pcc = people["pcc_officer"], people["pcc"]
    partners = {"own": council, "sharing": police, "other": probation}
    applicants = {"own": people["officer"], "sharing": None, "other": None}
    from partners.models import Role
    from tests.factories import make_person

    for variant, partner in partners.items():
        if applicants[variant] is None:
            applicants[variant] = make_person(partner, Role.OFFICER, f"{partner.slug}.applicant")
    organisations = {
        variant: services.organisation_register(
            by=SYSTEM, name=f"{partner.name} (funding)", org_id=f"GB-LAE-MX{n}", partner=partner
        )
        for n, (variant, partner) in enumerate(partners.items())
    }
    fund = services.fund_create(
        by=pcc_officer,
        name="Matrix fund",
        kind=Fund.Kind.VAWG,
        financial_year=today.year if today.month >= 4 else today.year - 1,
        budget="500000.00",
    )
    services.income_record(
        fund=fund, by=pcc_officer, source="Home Office grant", received_on=today, amount="1000.00", reference="HO-1"
    )
    programme = services.programme_create(
        by=pcc_officer, name="Matrix programme", slug="matrix-programme", lead_partner=police
    )

    def new_round(title: str):
        return services.round_create(
            fund=fund,
            by=pcc_officer,
            title=title,
            eligibility="Partners of the board.",
            opens_on=today - timedelta(days=10),
            closes_on=today + timedelta(days=30),
            max_award="50000.00",
            criteria=[("Need", 60), ("Value for money", 40)],
        )

    open_round = services.round_open(round_=new_round("Open round"), by=pcc_officer, today=today)
    assessed = services.round_open(round_=new_round("Round in assessment"), by=pcc_officer, today=today)
    draft_round = new_round("Draft round")

    def apply(round_, variant: str, title: str, *, submit: bool):
        made = services.application_draft(
            round_=round_,
            organisation=organisations[variant],
            by=applicants[variant],
            project_title=title,
            summary="What it does.",
            amount_asked="10000.00",
            budget_lines=[("Staff", "10000.00")],
            programme=programme,
            today=today,
        )
        if submit:
            made = services.application_submit(
                application=made, by=applicants[variant], meets_eligibility=True, today=today
            )
        return made

    drafts = {"own": apply(open_round, "own", "Council draft", submit=False)}
    services.application_attachment_add(
        application=drafts["own"], by=applicants["own"], title="Business case", uploaded_file=pdf_file()
    )
    pending = {v: apply(assessed, v, f"{partners[v].short_name} pending", submit=True) for v in ("sharing", "other")}
    granted = {v: apply(assessed, v, f"{partners[v].short_name} granted", submit=True) for v in VARIANTS}
    services.round_close_for_applications(round_=assessed, by=pcc_officer)
    awards = {
        v: services.award_make(
            application=a,
            by=pcc,
            amount="10000.00",
            instalments=[(today, "4000.00"), (today + timedelta(days=14), "6000.00")],
            reasons="Good value.",
            confirmed_at=timezone.now(),
            today=today,
        )
        for v, a in granted.items()
    }
    for award in awards.values():
        services.instalment_pay(instalment=award.instalments.first(), by=pcc_officer, paid_on=today, today=today)
    # the council's first quarter is over (its return may be sent); the others' are not (back to the award)
    from funding.models import SpendReturn

    SpendReturn.objects.filter(pk=awards["own"].spend_returns.first().pk).update(
        period_start=today - timedelta(days=100), period_end=today - timedelta(days=10)
    )
    applications = {"own": drafts["own"], **pending}
    return {
        "fund": {v: fund.pk for v in VARIANTS},
        "fund_fmt": {v: {"pk": fund.pk, "fmt": "csv"} for v in VARIANTS},
        "round": {"own": open_round.pk, "sharing": assessed.pk, "other": draft_round.pk},
        "round_fmt": {
            v: {"pk": r.pk, "fmt": "csv"}
            for v, r in (("own", open_round), ("sharing", assessed), ("other", draft_round))
        },
        "application": {v: a.pk for v, a in applications.items()},
        "application_attachment": {
            v: {"pk": a.pk, "attachment_id": a.attachments.first().pk if a.attachments.exists() else 0}
            for v, a in applications.items()
        },
        "award": {v: a.pk for v, a in awards.items()},
        # the unpaid instalment (the first is paid)
        "instalment": {
            v: {"pk": a.pk, "instalment_id": a.instalments.filter(paid_on__isnull=True).first().pk}
            for v, a in awards.items()
        },
        "spend_return": {v: {"pk": a.pk, "return_id": a.spend_returns.first().pk} for v, a in awards.items()},
        "programme": {v: programme.slug for v in VARIANTS},
    }
