"""The partners the core can name without importing the partners app: it registers them at start-up.

Used where a core page filters by partner (the audit log); audit events keep the partner's id and
its name at the time.
"""

from __future__ import annotations

from collections.abc import Callable

_partner_choices: Callable[[], list[tuple[int, str]]] = lambda: []  # noqa: E731


def register_partner_choices(source: Callable[[], list[tuple[int, str]]]) -> None:
    """source() -> [(partner id, name)], by name."""
    global _partner_choices
    _partner_choices = source


def partner_choices() -> list[tuple[int, str]]:
    return list(_partner_choices())
