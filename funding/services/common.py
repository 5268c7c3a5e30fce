"""What the funding services share: money as exact pounds and pence, and the people told."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from callins.services.common import audit, commissioner, label, partner_people, pcc_office, person, text  # noqa: F401

from .. import limits
from ..models import Organisation


def money(field: str, value, subject: str, *, allow_zero: bool = False) -> Decimal:
    """Exact pounds and pence (a Decimal, an int or a string like "1250.00"); a float is refused, as it cannot
    hold pence exactly."""
    if isinstance(value, float):
        raise ValidationError({field: f"Give {subject} as exact pounds and pence, not a float"})
    if value in (None, "") or isinstance(value, bool):
        raise ValidationError({field: f"Enter {subject} in pounds and pence, like 1250.00"})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: f"Enter {subject} in pounds and pence, like 1250.00"})
    least = "0 or more" if allow_zero else "more than 0"
    if (
        not amount.is_finite()
        or amount < 0
        or (amount == 0 and not allow_zero)
        or amount.as_tuple().exponent < -2
        or amount > limits.MONEY_MAX
    ):
        raise ValidationError({field: f"Enter {subject} in pounds and pence, {least}, like 1250.00"})
    return amount.quantize(Decimal("0.01"))


def pounds(amount: Decimal) -> str:
    """£1,234.56"""
    return f"£{amount:,.2f}"


def applicant_people(organisation: Organisation) -> list[int]:
    """Those who act for an applicant in the portal: its partner's officers and signatories (none for a
    registered provider without a seat)."""
    return partner_people(organisation.partner_id) if organisation.partner_id else []
