"""Who acts when no person does: the system actor that seeds, scheduled tasks and management
commands pass to services as `by`.

Every service takes a required `by`. A person is checked by the permissions engine; the system
actor is not (it runs the portal's own rules: the nightly end of agreements, the demo seed) and
is audited as what it is: "system: <what ran>".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The portal itself, acting for a named reason (a task, a command, the demo seed)."""

    reason: str

    is_authenticated = False
    is_active = True
    is_superuser = False
    is_system = True
    pk = None

    @property
    def label(self) -> str:
        return f"system: {self.reason}"

    def get_username(self) -> str:
        return self.label

    def get_full_name(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


def system(reason: str) -> SystemActor:
    """The system actor for a reason, e.g. system("nightly agreement check")."""
    return SystemActor(reason)


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require_actor(by) -> None:
    """Services call this first: a person or the system actor, never nothing."""
    if by is None:
        raise TypeError("a service needs `by`: the person acting, or portal.actors.system(reason)")
