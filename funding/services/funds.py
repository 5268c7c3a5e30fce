"""Funds, their income, the organisations that apply and the programmes funded. The fund's denormalised
income and commitment change only under a lock on its row, in the transaction of the change."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot

from .. import limits, rules
from ..models import ORG_ID_PATTERN, Fund, IncomeReceipt, Organisation, Programme
from .common import audit, money, person, pounds, text

FUND_FIELDS = ["name", "kind", "financial_year", "ring_fenced", "budget"]


def lock_fund(fund: Fund | int) -> Fund:
    """The fund's row, locked until the transaction ends: every change of its money goes through here."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock a fund inside the service's transaction")
    return Fund.objects.select_for_update().get(pk=getattr(fund, "pk", fund))


@transaction.atomic
def fund_create(*, by, name: str, kind: str, financial_year: int, budget, ring_fenced: bool = False) -> Fund:
    """The PCC office sets up a fund for a financial year with its budget."""
    require_actor(by)
    permissions.check(by, rules.FUND_MANAGE)
    if kind not in Fund.Kind.values:
        raise ValidationError({"kind": "Select the kind of fund"})
    if not isinstance(financial_year, int) or isinstance(financial_year, bool) or not 2000 <= financial_year <= 2100:
        raise ValidationError({"financial_year": "Enter the year the financial year starts in, like 2026"})
    fund = Fund(
        name=text("name", name, limits.NAME, "Name", required=True, single_line=True),
        kind=kind,
        financial_year=financial_year,
        ring_fenced=bool(ring_fenced),
        budget=money("budget", budget, "the budget", allow_zero=True),
    )
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        raise ValidationError({"name": f"There is already a fund called {fund.name} in {fund.year_label}"})
    audit(
        by=by,
        obj=fund,
        action="fund.create",
        summary=f"Fund set up: {fund} with a budget of {pounds(fund.budget)}",
        after=snapshot(fund, FUND_FIELDS),
    )
    return fund


@transaction.atomic
def income_record(
    *, fund: Fund, by, source: str, received_on: date, amount, reference: str = "", today: date | None = None
) -> IncomeReceipt:
    """Money received into a fund: the fund's income total rises in the same transaction."""
    require_actor(by)
    permissions.check(by, rules.FUND_MANAGE)
    fund = lock_fund(fund)
    today = today or timezone.localdate()
    if not isinstance(received_on, date) or received_on > today:
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    receipt = IncomeReceipt.objects.create(
        fund=fund,
        source=text("source", source, limits.NAME, "Source", required=True, single_line=True),
        received_on=received_on,
        amount=money("amount", amount, "the amount received"),
        reference=text("reference", reference, limits.REFERENCE, "Reference", single_line=True),
        recorded_by=person(by),
    )
    before = snapshot(fund, ["income_total"])
    fund.income_total += receipt.amount
    fund.save(update_fields=["income_total"])
    audit(
        by=by,
        obj=fund,
        action="fund.income",
        summary=f"{pounds(receipt.amount)} received into {fund} from {receipt.source}",
        before=before,
        after={**snapshot(fund, ["income_total"]), "receipt": receipt.pk, "amount": str(receipt.amount)},
    )
    return receipt


@transaction.atomic
def organisation_register(
    *,
    by,
    name: str,
    org_id: str,
    partner: Partner | None = None,
    charity_number: str = "",
    company_number: str = "",
) -> Organisation:
    """The PCC office registers an applicant: a partner (whose officers may then apply for it) or a registered
    provider, known by its 360Giving org-id."""
    require_actor(by)
    permissions.check(by, rules.FUND_MANAGE)
    org_id = text("org_id", org_id, 80, "Organisation identifier", required=True, single_line=True)
    if not re.fullmatch(ORG_ID_PATTERN, org_id):
        raise ValidationError({"org_id": "Enter the organisation identifier in 360Giving's form, like GB-CHC-1234567"})
    if partner is not None and not isinstance(partner, Partner):
        raise ValidationError({"partner": "Select the partner, or none for a registered provider"})
    organisation = Organisation(
        partner=partner,
        name=text("name", name, limits.NAME, "Name", required=True, single_line=True),
        charity_number=text("charity_number", charity_number, 20, "Charity number", single_line=True),
        company_number=text("company_number", company_number, 20, "Company number", single_line=True),
        org_id=org_id,
    )
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise ValidationError({"org_id": f"{org_id} is registered already, or the partner has an organisation"})
    if partner is not None:
        permissions.grant("apply_for_organisation", partner.group, organisation)
    audit(
        by=by,
        obj=organisation,
        partner=partner,
        action="organisation.register",
        summary=f"Applicant registered: {organisation.name} ({org_id})",
        after=snapshot(organisation, ["name", "org_id", "partner", "charity_number", "company_number"]),
    )
    return organisation


@transaction.atomic
def programme_create(
    *, by, name: str, slug: str, lead_partner: Partner, description: str = "", targets=()
) -> Programme:
    """The PCC office names a programme or pathfinder, its lead partner and the targets it serves."""
    require_actor(by)
    permissions.check(by, rules.FUND_MANAGE)
    programme = Programme(
        name=text("name", name, limits.NAME, "Name", required=True, single_line=True),
        slug=text("slug", slug, 80, "Short name", required=True, single_line=True),
        lead_partner=lead_partner,
        description=text("description", description, limits.TEXT, "Description"),
    )
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise ValidationError({"name": f"There is already a programme called {programme.name}"})
    programme.targets.set(targets)
    audit(
        by=by,
        obj=programme,
        partner=lead_partner,
        action="programme.create",
        summary=f"Programme named: {programme.name}, led by {lead_partner.short_name}",
        after=snapshot(programme, ["name", "slug", "lead_partner"]),
    )
    return programme
