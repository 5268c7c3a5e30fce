"""The list of grounds the PCC office keeps for calling a decision in."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import permissions
from portal.actors import require_actor

from .. import limits, rules
from ..models import CallInGround
from .common import audit, text


@transaction.atomic
def ground_add(*, by, name: str, description: str = "") -> CallInGround:
    require_actor(by)
    permissions.check(by, rules.CALLIN_GROUNDS)
    name = text("name", name, limits.GROUND, "The ground", required=True, single_line=True)
    if CallInGround.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"“{name}” is on the list already"})
    order = (CallInGround.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    ground = CallInGround.objects.create(
        name=name,
        description=text("description", description, limits.GROUND_DESCRIPTION, "The description"),
        order=order,
    )
    audit(by=by, obj=ground, action="callin_ground.add", summary=f"Call-in ground added: {name}", after={"name": name})
    return ground


@transaction.atomic
def ground_set_active(*, ground: CallInGround, by, active: bool) -> CallInGround:
    """Retire a ground (call-ins that used it keep it) or bring it back."""
    require_actor(by)
    permissions.check(by, rules.CALLIN_GROUNDS)
    ground = CallInGround.objects.select_for_update().get(pk=ground.pk)
    if ground.active == active:
        return ground
    ground.active = active
    ground.save(update_fields=["active"])
    audit(
        by=by,
        obj=ground,
        action="callin_ground.retire" if not active else "callin_ground.restore",
        summary=f"Call-in ground {'retired' if not active else 'brought back'}: {ground.name}",
        before={"active": not active},
        after={"active": active},
    )
    return ground
