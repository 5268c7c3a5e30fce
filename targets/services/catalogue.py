"""Priorities, indicators, targets and partner remits: the board's catalogue.

by means the system itself (the demo seed); people always pass `by` and are checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partners import rules as partner_rules
from partners.models import Area, DataSharingAgreement, Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import audit_record, snapshot

from .. import rules
from ..models import (
    BREAKDOWN_DIMENSIONS,
    Indicator,
    PartnerRemit,
    Priority,
    Target,
    TrajectoryPoint,
    periods_between,
)
from .snapshots import snapshots_refresh_later

INDICATOR_PERMS = ("view_indicator_data", "view_indicator_breakdowns")
INDICATOR_FIELDS = [
    "code",
    "name",
    "definition",
    "unit",
    "polarity",
    "frequency",
    "geography",
    "provider",
    "breakdowns",
    "data_lag_note",
    "revision_warning_percent",
    "active",
]
TARGET_FIELDS = [
    "priority",
    "indicator",
    "area",
    "owner",
    "title",
    "baseline_value",
    "baseline_period_start",
    "baseline_period_end",
    "target_value",
    "target_date",
    "tolerance_percent",
    "notes",
]
PRIORITY_FIELDS = ["title", "slug", "description", "order", "active"]


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _check_manage(by) -> None:
    """The board and the PCC office define the evidence base (or the system actor, for the demo)."""
    require_actor(by)
    permissions.check(by, rules.TARGET_MANAGE)


# --- Priorities ---------------------------------------------------------------------------------
@transaction.atomic
def priority_create(
    *, title: str, slug: str, description: str = "", lead_partners: Iterable[Partner] = (), order: int = 0, by
) -> Priority:
    """Add a shared board priority with its lead partners."""
    _check_manage(by)
    if Priority.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A priority with this short address already exists"})
    priority = Priority(title=title, slug=slug, description=description, order=order)
    priority.full_clean()
    priority.save()
    leads = list(lead_partners)
    priority.lead_partners.set(leads)
    audit_record(
        actor=by,
        action="priority.create",
        obj=priority,
        summary=f"Priority '{title}' added",
        after={**snapshot(priority, PRIORITY_FIELDS), "lead_partners": sorted(p.slug for p in leads)},
    )
    return priority


@transaction.atomic
def priority_update(*, priority: Priority, by, lead_partners: Iterable[Partner] | None = None, **fields) -> Priority:
    """Change a priority's wording, order, leads or whether it is active."""
    _check_manage(by)
    priority = Priority.objects.select_for_update().get(pk=priority.pk)
    before = {
        **snapshot(priority, PRIORITY_FIELDS),
        "lead_partners": sorted(priority.lead_partners.values_list("slug", flat=True)),
    }
    for name, value in fields.items():
        if name not in PRIORITY_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(priority, name, value)
    priority.full_clean()
    priority.save()
    if lead_partners is not None:
        priority.lead_partners.set(list(lead_partners))
    after = {
        **snapshot(priority, PRIORITY_FIELDS),
        "lead_partners": sorted(priority.lead_partners.values_list("slug", flat=True)),
    }
    if before != after:
        audit_record(
            actor=by,
            action="priority.update",
            obj=priority,
            summary=f"Priority '{priority.title}' updated",
            before=before,
            after=after,
        )
    return priority


# --- Indicators ---------------------------------------------------------------------------------
def _clean_breakdowns(breakdowns: Iterable[str]) -> list[str]:
    chosen = set(breakdowns or [])
    unknown = chosen - set(BREAKDOWN_DIMENSIONS)
    if unknown:
        raise ValidationError({"breakdowns": f"Breakdowns can only be {', '.join(BREAKDOWN_DIMENSIONS)}"})
    return [d for d in BREAKDOWN_DIMENSIONS if d in chosen]


@transaction.atomic
def indicator_create(
    *,
    code: str,
    name: str,
    unit: str,
    polarity: str,
    frequency: str,
    geography: str,
    provider: Partner,
    definition: str = "",
    breakdowns: Iterable[str] = (),
    data_lag_note: str = "",
    revision_warning_percent=None,
    by,
) -> Indicator:
    """Define an indicator; its provider partner may see (and return) its figures and breakdowns."""
    _check_manage(by)
    if Indicator.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": "An indicator with this code already exists"})
    indicator = Indicator(
        code=code,
        name=name,
        definition=definition,
        unit=unit,
        polarity=polarity,
        frequency=frequency,
        geography=geography,
        provider=provider,
        breakdowns=_clean_breakdowns(breakdowns),
        data_lag_note=data_lag_note,
    )
    if revision_warning_percent is not None:
        indicator.revision_warning_percent = revision_warning_percent
    indicator.full_clean()
    indicator.save()
    for codename in INDICATOR_PERMS:
        permissions.grant(codename, provider.group, indicator)
    audit_record(
        actor=by,
        partner=provider,
        action="indicator.create",
        obj=indicator,
        summary=f"Indicator {code} ({name}) defined, provided by {provider.short_name}",
        after=snapshot(indicator, INDICATOR_FIELDS),
    )
    return indicator


def _check_no_agreement_covers(indicator: Indicator) -> None:
    """Refuse a change of provider while an agreement (a draft, or one not yet ended or revoked) shares
    the indicator: the agreement is the old provider's, and its grants would no longer be theirs to give."""
    S = DataSharingAgreement.Status
    covering = list(
        DataSharingAgreement.objects.filter(coverage__indicator=indicator)
        .exclude(status__in=[S.ENDED, S.REVOKED])
        .order_by("reference")
        .values_list("reference", "status")
    )
    if not covering:
        return
    references = ", ".join(reference for reference, _ in covering)
    drafts = sum(status == S.DRAFT for _, status in covering)
    action = "end or revoke" if not drafts else "delete" if drafts == len(covering) else "end, revoke or delete"
    what, it = ("agreement", "it") if len(covering) == 1 else ("agreements", "them")
    raise ValidationError(
        {
            "provider": f"This indicator is covered by data-sharing {what} {references}; "
            f"{action} {it} before changing the provider"
        }
    )


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, **fields) -> Indicator:
    """Change an indicator's definition; a new provider takes over the provider's permissions (refused
    while a data-sharing agreement covers the indicator)."""
    _check_manage(by)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = snapshot(indicator, INDICATOR_FIELDS)
    old_provider = indicator.provider
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS or name == "code":
            raise ValueError(f"{name} cannot be changed here")
        setattr(indicator, name, _clean_breakdowns(value) if name == "breakdowns" else value)
    moved = indicator.provider_id != old_provider.pk
    if moved:
        _check_no_agreement_covers(indicator)
    indicator.full_clean()
    indicator.save()
    if moved:
        # The provider's grants follow the indicator (recomputed, not revoked blindly, as for agreements).
        from .sharing import dsa_sync_grants

        dsa_sync_grants(indicator_ids=[indicator.pk], group_ids=[old_provider.group_id, indicator.provider.group_id])
    after = snapshot(indicator, INDICATOR_FIELDS)
    if before != after:
        audit_record(
            actor=by,
            partner=indicator.provider,
            action="indicator.update",
            obj=indicator,
            summary=f"Indicator {indicator.code} updated",
            before=before,
            after=after,
        )
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by) -> None:
    """Remove an indicator, its figures and every permission on it (refused while targets use it)."""
    _check_manage(by)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.targets.exists():
        raise ValidationError("This indicator has targets. Remove its targets before removing the indicator.")
    if indicator.observations.filter(data_return__isnull=False).exists():
        raise ValidationError("Data returns have been applied to this indicator. Mark it inactive instead.")
    before = snapshot(indicator, INDICATOR_FIELDS)
    pk, code, provider = indicator.pk, indicator.code, indicator.provider
    permissions.revoke_all(indicator)
    indicator.delete()
    audit_record(
        actor=by,
        partner=provider,
        action="indicator.delete",
        object_type="targets.indicator",
        object_id=pk,
        summary=f"Indicator {code} removed",
        before=before,
    )


# --- Targets ------------------------------------------------------------------------------------
def _linear_trajectory(
    *, frequency: str, baseline_value: Decimal, baseline_end: date, target_value: Decimal, target_date: date
) -> list[tuple[date, Decimal]]:
    """A straight line from the baseline to the target, one point per period after the baseline."""
    periods = periods_between(frequency, baseline_end, target_date)
    periods = [p for p in periods if p[0] > baseline_end] or periods
    if not periods:
        return []
    steps = len(periods)
    step = (Decimal(target_value) - Decimal(baseline_value)) / steps
    return [
        (start, (Decimal(baseline_value) + step * (i + 1)).quantize(Decimal("0.0001")))
        for i, (start, _) in enumerate(periods)
    ]


def _check_target(target: Target) -> None:
    indicator, area = target.indicator, target.area
    if area.kind != indicator.geography and not (
        indicator.geography == Area.Kind.LOCAL_AUTHORITY and area.kind == Area.Kind.FORCE_AREA
    ):
        raise ValidationError({"area": f"{indicator.code} is not reported for {area.name}"})
    if target.target_date <= target.baseline_period_end:
        raise ValidationError({"target_date": "The target date must be after the baseline period"})
    target.full_clean(validate_unique=True)


def _set_trajectory(target: Target, trajectory: Sequence[tuple[date, Decimal]] | None) -> list[dict]:
    if trajectory is None:
        trajectory = _linear_trajectory(
            frequency=target.indicator.frequency,
            baseline_value=target.baseline_value,
            baseline_end=target.baseline_period_end,
            target_value=target.target_value,
            target_date=target.target_date,
        )
    starts = [start for start, _ in trajectory]
    if len(set(starts)) != len(starts):
        raise ValidationError({"trajectory": "Each period can have only one expected value"})
    target.trajectory_points.all().delete()
    TrajectoryPoint.objects.bulk_create(
        [TrajectoryPoint(target=target, period_start=start, expected_value=_dec(value)) for start, value in trajectory]
    )
    return [{"period_start": start.isoformat(), "expected_value": str(value)} for start, value in trajectory]


@transaction.atomic
def target_create(
    *,
    priority: Priority,
    indicator: Indicator,
    area: Area,
    owner: Partner,
    baseline_value: Decimal,
    baseline_period_start: date,
    baseline_period_end: date,
    target_value: Decimal,
    target_date: date,
    tolerance_percent: Decimal = Decimal("5"),
    title: str = "",
    notes: str = "",
    trajectory: Sequence[tuple[date, Decimal]] | None = None,
    by,
) -> Target:
    """Set a target with its trajectory (a straight line from baseline to target unless given)."""
    _check_manage(by)
    target = Target(
        priority=priority,
        indicator=indicator,
        area=area,
        owner=owner,
        title=title,
        notes=notes,
        baseline_value=_dec(baseline_value),
        baseline_period_start=baseline_period_start,
        baseline_period_end=baseline_period_end,
        target_value=_dec(target_value),
        target_date=target_date,
        tolerance_percent=_dec(tolerance_percent),
    )
    _check_target(target)
    target.save()
    points = _set_trajectory(target, trajectory)
    snapshots_refresh_later(target_ids=[target.pk])
    audit_record(
        actor=by,
        partner=owner,
        action="target.create",
        obj=target,
        summary=f"Target set: {target.display_title}",
        after={**snapshot(target, TARGET_FIELDS), "trajectory": points},
    )
    return target


@transaction.atomic
def target_update(*, target: Target, by, trajectory: Sequence[tuple[date, Decimal]] | None = None, **fields) -> Target:
    """Change a target; a new trajectory replaces the old one (pass trajectory=[] to clear it)."""
    _check_manage(by)
    target = Target.objects.select_for_update().select_related("indicator", "area").get(pk=target.pk)
    before = {
        **snapshot(target, TARGET_FIELDS),
        "trajectory": [
            {"period_start": p.period_start.isoformat(), "expected_value": str(p.expected_value)}
            for p in target.trajectory_points.all()
        ],
    }
    for name, value in fields.items():
        if name not in TARGET_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        if name in ("baseline_value", "target_value", "tolerance_percent"):
            value = _dec(value)
        setattr(target, name, value)
    _check_target(target)
    target.save()
    points = before["trajectory"] if trajectory is None else _set_trajectory(target, trajectory)
    after = {**snapshot(target, TARGET_FIELDS), "trajectory": points}
    if before != after:
        snapshots_refresh_later(target_ids=[target.pk])
        audit_record(
            actor=by,
            partner=target.owner,
            action="target.update",
            obj=target,
            summary=f"Target updated: {target.display_title}",
            before=before,
            after=after,
        )
    return target


# --- Partner remits -----------------------------------------------------------------------------
@transaction.atomic
def remit_add(*, partner: Partner, title: str, description: str = "", order: int = 0, by) -> PartnerRemit:
    """Add a part of a partner's remit to its page (the partner itself or the PCC office)."""
    require_actor(by)
    if not (permissions.can(by, partner_rules.PARTNER_ACT, partner) or permissions.can(by, rules.TARGET_MANAGE)):
        raise PermissionDenied
    if PartnerRemit.objects.filter(partner=partner, title=title).exists():
        raise ValidationError({"title": "This partner already has a remit with this title"})
    remit = PartnerRemit.objects.create(partner=partner, title=title, description=description, order=order)
    audit_record(
        actor=by,
        partner=partner,
        action="remit.add",
        obj=remit,
        summary=f"Remit '{title}' added to {partner.short_name}",
        after=snapshot(remit, ["partner", "title", "description", "order"]),
    )
    return remit
