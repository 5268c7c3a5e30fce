"""What a data-sharing agreement covers, as the partners app sees it: items it cannot define itself.

Agreements belong to partners; the indicators they cover belong to targets, the app above. The
link (which agreement covers which indicator) and the data grants it implies live up there; this
module is the small interface through which the agreement pages, services and API reach them.
targets registers its implementation at start-up (targets/sharing.py), so partners never imports
targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Covered:
    """One item an agreement covers (an indicator), as agreements show it."""

    pk: int
    code: str
    name: str
    provider_id: int
    has_breakdowns: bool
    url: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Coverage(Protocol):
    def options(self, *, provider_ids: Iterable[int]) -> list[Covered]:
        """What these providers could share (their current indicators), by code."""

    def of(self, agreement_ids: Iterable[int]) -> dict[int, list[Covered]]:
        """What each agreement covers, by code (one query)."""

    def find(self, *, pks: Iterable[int] = (), codes: Iterable[str] = ()) -> list[Covered]:
        """Items by primary key or code (unknown ones are left out)."""

    def replace(self, *, agreement, pks: Iterable[int]) -> None:
        """Make the agreement cover exactly these items (inside the service's transaction)."""

    def agreement_ids_covering(self, pk: int):
        """The ids of the agreements that cover an item (a queryset usable in a filter)."""


class _NoCoverage:
    """Until an app registers coverage, agreements cover nothing (never reached in the portal)."""

    def options(self, *, provider_ids):
        return []

    def of(self, agreement_ids):
        return {pk: [] for pk in agreement_ids}

    def find(self, *, pks=(), codes=()):
        return []

    def replace(self, *, agreement, pks):
        if list(pks):
            raise RuntimeError("no app has registered what agreements can cover")

    def agreement_ids_covering(self, pk):
        from .models import DataSharingAgreement

        return DataSharingAgreement.objects.none().values("pk")


_coverage: Coverage = _NoCoverage()


def register_coverage(implementation: Coverage) -> None:
    """Called once at start-up by the app that defines what agreements cover (targets)."""
    global _coverage
    _coverage = implementation


def coverage() -> Coverage:
    return _coverage


def attach_covered(agreements) -> list:
    """Set `covered` (a list of Covered) on each agreement, in one query; returns them as a list."""
    agreements = list(agreements)
    found = coverage().of([a.pk for a in agreements])
    for agreement in agreements:
        agreement.covered = found.get(agreement.pk, [])
    return agreements


def validate_coverage(*, provider, level: str, items: list[Covered], breakdowns_level: str) -> dict[str, str]:
    """The rules an agreement's items must meet: the provider's own, and a level they can give."""
    errors = {}
    wrong = sorted(i.code for i in items if i.provider_id != provider.pk)
    if wrong:
        errors["indicators"] = (
            f"{provider.short_name} does not provide {', '.join(wrong)}: an agreement can "
            f"only share the provider's own indicators"
        )
    totals_only = sorted(i.code for i in items if not i.has_breakdowns)
    if level == breakdowns_level and totals_only and "indicators" not in errors:
        # An agreement may not promise a level of detail its indicators cannot give.
        one = len(totals_only) == 1
        errors["level"] = (
            f"{', '.join(totals_only)} {'is' if one else 'are'} published as totals only, so the "
            f"agreement cannot share breakdowns of {'it' if one else 'them'}. Select aggregate "
            f"figures only, or remove {', '.join(totals_only)}"
        )
    return errors
