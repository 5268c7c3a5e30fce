"""One way to say what a stateful thing may go through: its states and its transitions, each with
the states it starts from, the permission it needs, whether it needs a fresh second factor
(step-up) and what it audits.

Services run a transition in two steps inside their transaction:

    agreement = DSA_FLOW.begin("suspend", agreement, by=by, confirmed_at=confirmed_at)
    ...                                      # the service's own checks and changes (and whom it tells)
    DSA_FLOW.finish(agreement, "suspend", by=by, summary="Agreement DSA-2026-001 suspended: …")

`begin` locks the row (select_for_update; `lock=False` when the service has locked it already with
`lock()`), then checks, in this order: that `by` may take the transition at all (PermissionDenied), a
fresh second factor where the transition needs one (StepUpRequired), and that the row is in a state
the transition starts from (ValidationError). The system actor skips the first two.

`finish` checks itself: it refuses a row that this transaction has not locked through the workflow
(`begin` or `lock`: a programming error, RuntimeError) and a row not in a state the transition starts
from (ValidationError); then it moves the state, saves it, writes one audit event and calls the
reactions other apps registered (`after`), all in the same transaction. Whom a transition tells is
the service's own business (portal.notifications.notify, in the same transaction).

Pages and the API ask `available_to(user, obj)` which transitions to offer: the buttons shown are
exactly the transitions that person may take now (step-up is asked when they take one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from . import permissions
from .actors import is_system, require_actor
from .audit import audit_record, snapshot
from .security import step_up_check

WORKFLOWS: dict[str, Workflow] = {}


# --- Which rows this transaction has locked through a workflow -------------------------------------
# NOTE: a lock lives as long as its transaction (or the savepoint it was taken in). Each lock registers a
# do-nothing on_commit callback as its token: Django drops a transaction's callbacks when it commits or
# rolls back (and a savepoint's when that is rolled back), so a token still waiting means the lock holds.
def _held_tokens() -> dict:
    connection = transaction.get_connection()
    tokens = getattr(connection, "_workflow_locks", None)
    if tokens is None:
        tokens = connection._workflow_locks = {}
    return tokens


def _remember_lock(obj) -> None:
    def token() -> None:
        """Nothing to do on commit: it marks the lock as this transaction's."""

    transaction.on_commit(token)
    tokens = _held_tokens()
    pending = {id(func) for _, func, *_ in transaction.get_connection().run_on_commit}
    for key in [k for k, t in tokens.items() if id(t) not in pending]:
        del tokens[key]  # locks of transactions that have ended
    tokens[(obj._meta.label, obj.pk)] = token


def holds_lock(obj) -> bool:
    """Whether this transaction has locked the row through a workflow (begin or lock)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    token = _held_tokens().get((obj._meta.label, obj.pk))
    return token is not None and any(func is token for _, func, *_ in connection.run_on_commit)


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]  # the states it may start from
    target: str | None  # the state it leads to (None: the service decides, or no change)
    action: str | None  # the permission it needs (portal.permissions vocabulary); None: system only
    label: str  # the button's words
    step_up: bool = False  # a fresh second factor in the last STEP_UP_SECONDS
    audit: str = ""  # the audit action it writes (defaults to "<workflow>.<name>")
    permission_object: Callable | None = None  # the row the permission is checked on (default: the object)
    available: Callable | None = None  # a further condition for offering it: f(user, obj) -> bool
    style: str = "primary"  # button: primary, secondary or warning
    url_name: str = ""  # the page that takes it (pages link buttons here)
    wrong_state: str = ""  # what to say when the object is not in a source state

    @property
    def system_only(self) -> bool:
        return self.action is None


@dataclass
class Workflow:
    name: str  # e.g. "dsa"
    model: type[models.Model]
    states: type[models.TextChoices]
    transitions: list[Transition]
    state_field: str = "status"
    describe: Callable[[models.Model], str] = str  # how audit summaries name the object
    lock_related: tuple[str, ...] = ()  # select_related when locking (never locks those rows)
    # Where the audit event is filed (default: the object itself), e.g. a plan version's events on its plan
    # so that the plan's history is one list: f(obj) -> the model instance to file it against.
    audit_object: Callable | None = None
    _after: list[Callable] = field(default_factory=list)

    def __post_init__(self):
        self.by_name = {t.name: t for t in self.transitions}
        WORKFLOWS[self.name] = self

    # --- asking -------------------------------------------------------------------------------
    def transition(self, name: str) -> Transition:
        return self.by_name[name]

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def _permission_row(self, t: Transition, obj):
        return t.permission_object(obj) if t.permission_object else obj

    def may(self, user, obj, name: str) -> bool:
        """Whether the person may take this transition now (state, permission and condition; step-up is
        asked when they take it)."""
        t = self.by_name[name]
        if t.system_only or self.state_of(obj) not in t.source:
            return False
        if not permissions.can(user, t.action, self._permission_row(t, obj)):
            return False
        return t.available is None or bool(t.available(user, obj))

    def available_to(self, user, obj) -> list[Transition]:
        """The transitions to offer this person on this object, in declared order."""
        return [t for t in self.transitions if self.may(user, obj, t.name)]

    def allowed_names(self, user, obj) -> set[str]:
        return {t.name for t in self.available_to(user, obj)}

    # --- doing --------------------------------------------------------------------------------
    def lock(self, obj):
        """Lock the row for this transaction (select_for_update) and return it fresh."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name}: lock a row inside the service's transaction")
        row = type(obj).objects.select_for_update(of=("self",)).select_related(*self.lock_related).get(pk=obj.pk)
        _remember_lock(row)
        return row

    def lock_all(self, queryset) -> list:
        """Lock every row of a queryset for this transaction (in primary key order: no deadlocks)."""
        rows = list(queryset.select_for_update(of=("self",)).select_related(*self.lock_related).order_by("pk"))
        for row in rows:
            _remember_lock(row)
        return rows

    def begin(self, name: str, obj, *, by, confirmed_at: datetime | None = None, lock: bool = True):
        """Lock the row, then check that `by` may take the transition (permission, then step-up) and that
        the row is in a state it starts from; returns the locked row."""
        require_actor(by)
        t = self.by_name[name]
        row = self.lock(obj) if lock else obj
        if not lock and not holds_lock(row):
            raise RuntimeError(f"{self.name}.{name}: begin(lock=False) needs the row locked with lock() first")
        if not is_system(by):
            if t.system_only:
                raise PermissionDenied
            permissions.check(by, t.action, self._permission_row(t, row))
            if t.step_up:
                step_up_check(confirmed_at)
        if self.state_of(row) not in t.source:
            label = self.states(self.state_of(row)).label.lower()
            raise ValidationError(t.wrong_state or f"This cannot be done while it is {label}")
        return row

    def permitted(self, user, obj, name: str) -> bool:
        """Whether the person holds the transition's permission on this object, whatever its state."""
        t = self.by_name[name]
        return not t.system_only and permissions.can(user, t.action, self._permission_row(t, obj))

    def refusal(self, name: str) -> str:
        """What the 403 page says when the person may never take this transition."""
        t = self.by_name[name]
        return permissions.refusal(t.action) if t.action else "Only the portal itself does this."

    def in_source_state(self, obj, name: str) -> bool:
        return self.state_of(obj) in self.by_name[name].source

    def finish(
        self,
        obj,
        name: str,
        *,
        by,
        summary: str,
        partner=None,
        to: str | None = None,
        changes: dict | None = None,
        after: dict | None = None,
        audited: tuple[str, ...] | None = None,
    ):
        """Move the state (to the transition's target, or `to`) and set `changes` on the row, save, audit
        (before and after of the state and the changed fields, or only of `audited` among them: a long
        report stays on the row, not in the log), and run the reactions. Refuses a row this transaction
        has not locked (RuntimeError) and one not in a state the transition starts from."""
        t = self.by_name[name]
        if not holds_lock(obj):
            raise RuntimeError(f"{self.name}.{name}: finish() needs the row locked in this transaction (begin or lock)")
        if self.state_of(obj) not in t.source:
            label = self.states(self.state_of(obj)).label.lower()
            raise ValidationError(t.wrong_state or f"This cannot be done while it is {label}")
        changes = dict(changes or {})
        fields = [self.state_field, *changes]
        logged = fields if audited is None else [self.state_field, *audited]
        before = snapshot(obj, logged)
        target = to or t.target
        if target is not None:
            setattr(obj, self.state_field, target)
        for name_, value in changes.items():
            setattr(obj, name_, value)
        obj.save(update_fields=fields)
        filed = self.audit_object(obj) if self.audit_object else obj
        event = audit_record(
            actor=by,
            partner=partner,
            action=t.audit or f"{self.name}.{t.name}",
            obj=filed,
            summary=summary,
            before=before,
            after={**snapshot(obj, logged), **(after or {})},
        )
        for reaction in self._after:
            reaction(obj, t, by)
        return event

    def after(self, func: Callable) -> Callable:
        """Register func(obj, transition, by), run inside the transaction after every transition.

        For apps above this one that must react (e.g. targets recomputing data grants when an
        agreement changes state): an explicit list in the core, never a Django signal."""
        self._after.append(func)
        return func
