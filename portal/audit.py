"""The append-only, hash-chained audit log.

Each event stores the hash of the one before it and its own hash over its content, so
changing or removing any event breaks the chain from that point on (`manage.py verify_audit`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

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
        "at": event.at.astimezone(UTC).isoformat(),
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
    if actor_obj is not None:
        actor_label = actor_obj.get_username()
    else:
        actor_label = getattr(actor, "label", "") or "system"  # the system actor names what ran
    event = AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_label=actor_label[:150],
        partner_id=getattr(partner, "pk", None),
        partner_label=(getattr(partner, "short_name", "") or str(partner or ""))[:200],
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
            return ChainReport(
                checked, event.id, "its link to the previous event does not match (an event was removed or reordered)"
            )
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.id, "its content does not match its hash (it was altered)")
        prev = event.hash
        checked += 1
    return ChainReport(checked, None, "")


# --- Checkpoints: the chain anchored outside the database ---------------------------------------
# The chain alone proves that no event was changed or removed *between* the first and the last
# one it holds. It cannot tell that the newest events were cut off, that the table was emptied
# and refilled, or that someone with the code appended an event. A checkpoint records the count
# and the head hash at a moment, signed (HMAC-SHA256) with a key that is not in the database, and
# is written where an operator keeps it: a file (AUDIT_CHECKPOINT_FILE), the log stream and the
# security log. verify_audit holds the chain against the latest checkpoint it can trust.
import hmac  # noqa: E402
import logging  # noqa: E402
from pathlib import Path  # noqa: E402

checkpoint_log = logging.getLogger("portal.audit.checkpoint")


@dataclass(frozen=True)
class Checkpoint:
    at: str  # ISO time the checkpoint was taken
    count: int  # events in the chain then
    last_id: int  # id of the newest event then (0 for an empty chain)
    head: str  # its hash (GENESIS for an empty chain)
    signature: str = ""

    def payload(self) -> str:
        return f"cjp-audit-checkpoint:v1:{self.at}:{self.count}:{self.last_id}:{self.head}"

    def as_json(self) -> str:
        return json.dumps(
            {
                "at": self.at,
                "count": self.count,
                "last_id": self.last_id,
                "head": self.head,
                "signature": self.signature,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        return cls(
            at=str(data["at"]),
            count=int(data["count"]),
            last_id=int(data["last_id"]),
            head=str(data["head"]),
            signature=str(data.get("signature", "")),
        )


def _checkpoint_key() -> bytes:
    from django.conf import settings

    return settings.AUDIT_CHECKPOINT_KEY.encode()


def checkpoint_sign(checkpoint: Checkpoint) -> Checkpoint:
    signature = hmac.new(_checkpoint_key(), checkpoint.payload().encode(), hashlib.sha256).hexdigest()
    return Checkpoint(checkpoint.at, checkpoint.count, checkpoint.last_id, checkpoint.head, signature)


def checkpoint_is_genuine(checkpoint: Checkpoint) -> bool:
    return hmac.compare_digest(checkpoint_sign(checkpoint).signature, checkpoint.signature or "")


def _checkpoint_file() -> Path | None:
    from django.conf import settings

    name = getattr(settings, "AUDIT_CHECKPOINT_FILE", "")
    return Path(name) if name else None


def audit_checkpoint() -> Checkpoint:
    """Take a signed checkpoint of the chain now: to the checkpoint file, the log stream and the security log."""
    from .models import SecurityEvent
    from .security import security_log

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # no event is appended while we read the head
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        count = AuditEvent.objects.count()
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first() or (0, GENESIS)
        checkpoint = checkpoint_sign(
            Checkpoint(at=timezone.now().astimezone(UTC).isoformat(), count=count, last_id=last[0], head=last[1])
        )
        security_log(SecurityEvent.Kind.AUDIT_CHECKPOINT, detail=checkpoint.as_json()[:300])
    path = _checkpoint_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as out:
            out.write(checkpoint.as_json() + "\n")
    checkpoint_log.info("audit checkpoint %s", checkpoint.as_json())
    return checkpoint


def _checkpoints_from_file(path: Path) -> list[Checkpoint]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                found.append(Checkpoint.from_json(line))
            except (ValueError, KeyError, TypeError):
                continue
    return found


def _checkpoints_from_security_log() -> list[Checkpoint]:
    from .models import SecurityEvent

    found = []
    for detail in SecurityEvent.objects.filter(kind=SecurityEvent.Kind.AUDIT_CHECKPOINT).values_list(
        "detail", flat=True
    ):
        try:
            found.append(Checkpoint.from_json(detail))
        except (ValueError, KeyError, TypeError):
            continue
    return found


@dataclass
class AuditVerification:
    chain: ChainReport
    checkpoint: Checkpoint | None = None
    checkpoint_source: str = ""
    problems: list[str] = field(default_factory=list)  # what is missing or was replaced: not intact
    unsigned_ids: tuple[int, int] | None = None  # (first, last) events after the checkpoint
    forged_checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def audit_verify(*, checkpoint_file: Path | None = None) -> AuditVerification:
    """The chain, held against the latest genuine checkpoint (from the file, else the security log)."""
    chain = audit_verify_chain()
    result = AuditVerification(chain=chain)
    path = checkpoint_file or _checkpoint_file()
    candidates: list[tuple[Checkpoint, str]] = []
    if path is not None and path.exists():
        candidates += [(c, f"the checkpoint file {path}") for c in _checkpoints_from_file(path)]
    candidates += [(c, "the security log") for c in _checkpoints_from_security_log()]
    genuine = [(c, source) for c, source in candidates if checkpoint_is_genuine(c)]
    result.forged_checkpoints = len(candidates) - len(genuine)
    if result.forged_checkpoints:
        result.problems.append(
            f"{result.forged_checkpoints} checkpoint(s) carry a signature that does not check: "
            f"someone wrote them without the key"
        )
    if not genuine:
        return result
    checkpoint, source = max(genuine, key=lambda cs: (cs[0].count, cs[0].at, cs[1].startswith("the checkpoint")))
    result.checkpoint, result.checkpoint_source = checkpoint, source
    events = AuditEvent.objects.order_by("id")
    held = events.count()
    if held < checkpoint.count:
        result.problems.append(
            f"{checkpoint.count - held} event(s) are missing: the checkpoint of {checkpoint.at} counted "
            f"{checkpoint.count} events up to event {checkpoint.last_id}, the log holds {held}"
        )
    elif checkpoint.count:
        at_head = events.values_list("id", "hash")[checkpoint.count - 1]
        if tuple(at_head) != (checkpoint.last_id, checkpoint.head):
            result.problems.append(
                f"the log does not match the checkpoint of {checkpoint.at}: event {checkpoint.count} should be "
                f"event {checkpoint.last_id} with hash {checkpoint.head[:12]}…, it is event {at_head[0]} with "
                f"hash {at_head[1][:12]}… (events were removed, replaced or reloaded)"
            )
    after = events.filter(id__gt=checkpoint.last_id).values_list("id", flat=True)
    if after.exists():
        result.unsigned_ids = (after.first(), after.last())
    return result
