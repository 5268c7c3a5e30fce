"""The append-only, hash-chained audit log.

Each event stores the hash of the one before it and its own hash over its content, so
changing or removing any event breaks the chain from that point on (`manage.py verify_audit`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from typing import Any, Iterable

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK_KEY = 7_331_001


def _normalise(value: Any) -> Any:
    """JSON-round-trip a value so the hash computed now equals the one recomputed from the DB."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "at": event.at.astimezone(dt_timezone.utc).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "partner": event.partner_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The named fields of obj as a JSON-ready dict (for before/after)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        out[name] = value
    return _normalise(out)


def audit_record(
    *,
    actor=None,
    partner=None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if connection.vendor == "postgresql":
        # Serialise writers so that two transactions never chain onto the same previous event.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_label=actor_obj.get_username() if actor_obj else "system",
        partner=partner,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        summary=summary[:500],
        before=_normalise(before),
        after=_normalise(after),
        prev_hash=last or GENESIS,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


@dataclass
class ChainReport:
    checked: int
    broken_event_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def audit_verify_chain() -> ChainReport:
    """Walk the chain in order; name the first event whose link or content does not check."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(checked, event.id, "its link to the previous event does not match (an event was removed or reordered)")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.id, "its content does not match its hash (it was altered)")
        prev = event.hash
        checked += 1
    return ChainReport(checked, None, "")
