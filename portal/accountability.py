"""Mutual accountability: each partner's duties and how it met them. Each app registers a provider here.

A duty is a kind of thing a partner owes by a date (a data return, a plan sign-off, a call-in response, a
signature on an agreement). A provider answers for a page of partners at once, in a fixed number of queries:
provider(partners=[...], user=..., period=..., today=...) -> {partner id: [Duty, ...]}.

What the viewer is told follows the rules of the pages the items link to: a duty lists only the items the
viewer may see there (through the app's own selectors). When the viewer's rules reach every one of the
partner's items (the PCC office's all-rows permissions, or a seat at the partner itself) the figures are
whole; when they reach some (agreements their own partner is party to), the figures count those and say so;
when they reach none, the duty says "Hidden" rather than a number, so a hidden item is never folded into a
total and a zero never stands for "you may not know".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from . import permissions

# How an item stands against its due date.
ON_TIME = "on-time"  # done by the end of its due date
LATE = "late"  # done after it
OVERDUE = "overdue"  # not done and its due date has passed (whether it can still be done or not)
NOT_YET_DUE = "not-yet-due"  # not done, and its due date is still ahead
STATES = (ON_TIME, LATE, OVERDUE, NOT_YET_DUE)
STATE_WORDS = {ON_TIME: "On time", LATE: "Late", OVERDUE: "Overdue", NOT_YET_DUE: "Not yet due"}
STATE_COLOURS = {ON_TIME: "green", LATE: "orange", OVERDUE: "red", NOT_YET_DUE: "blue"}

# How much of a partner's items of a duty the viewer's rules reach.
ALL = "all"
SOME = "some"
HIDDEN = "hidden"


@dataclass(frozen=True)
class Period:
    """A financial year, April to March, named by the year it starts in (2026 for 2026 to 2027)."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"April {self.year} to March {self.year + 1}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def financial_year_of(day: date) -> Period:
    """The financial year holding a day."""
    return Period(day.year if day.month >= 4 else day.year - 1)


def period_choices(today: date) -> list[Period]:
    """The periods the pages offer: this financial year (the default) and the one before."""
    this = financial_year_of(today)
    return [this, Period(this.year - 1)]


def state_of(*, due: date, done: date | None, today: date) -> str:
    """An item's state from its due date and the day it was done (None: not done)."""
    if done is not None:
        return ON_TIME if done <= due else LATE
    return OVERDUE if today > due else NOT_YET_DUE


@dataclass
class DutyItem:
    """One thing owed: what, by when, when it was done, and where the viewer may open it."""

    text: str
    due: date
    done: date | None
    state: str
    href: str = ""  # empty where the viewer may see the item listed but not open it
    note: str = ""  # why it stands as it does, where the dates alone do not say

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def state_colour(self) -> str:
        return STATE_COLOURS[self.state]


@dataclass
class Duty:
    """A partner's duty of one kind over a period: its items falling due in the period (by their due date),
    each on time, late, overdue or not yet due."""

    key: str  # unique on a page: the anchors of its lists ("#data-returns-late")
    title: str  # "Data returns"
    rule: str  # what "on time" means for it, in words
    period: Period
    items: list[DutyItem] = field(default_factory=list)
    visibility: str = ALL
    order: int = 0  # where it stands among the duties of a page
    headline: bool = True  # a column of the overview of every partner
    # False where the portal has no record of the duty being done (an agreement's review): only its due
    # dates are counted, never "on time" or "late".
    records_completion: bool = True
    list_href: str = ""  # the app's own list page, narrowed to the partner, where it has one
    list_text: str = ""

    def __post_init__(self):
        if self.visibility == SOME and not self.items:
            # Reaching some items and seeing none says nothing about the rest: hidden, not zero.
            self.visibility = HIDDEN
        if self.visibility == HIDDEN:
            self.items = []
        self.items.sort(key=lambda i: (i.due, i.text))

    @property
    def hidden(self) -> bool:
        return self.visibility == HIDDEN

    @property
    def partial(self) -> bool:
        return self.visibility == SOME

    def items_in(self, state: str) -> list[DutyItem]:
        return [i for i in self.items if i.state == state]

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def on_time(self) -> int:
        return self.count(ON_TIME)

    met = on_time

    @property
    def late(self) -> int:
        return self.count(LATE)

    @property
    def overdue(self) -> int:
        return self.count(OVERDUE)

    @property
    def not_yet_due(self) -> int:
        return self.count(NOT_YET_DUE)

    @property
    def outstanding(self) -> int:
        """Not done: overdue or not yet due."""
        return self.overdue + self.not_yet_due

    @property
    def due(self) -> int:
        """Every item falling due in the period."""
        return len(self.items)

    @property
    def due_so_far(self) -> int:
        """Items done, or whose due date has passed: what the percentage is out of."""
        return self.on_time + self.late + self.overdue

    @property
    def percent_on_time(self) -> int | None:
        """Whole per cent of the items due so far done on time (None: nothing due yet, or not recorded)."""
        if not self.records_completion or self.hidden or not self.due_so_far:
            return None
        return round(100 * self.on_time / self.due_so_far)

    def anchor(self, state: str | None = None) -> str:
        return f"{self.key}-{state}" if state else self.key


Provider = Callable[..., dict[int, list[Duty]]]
PROVIDERS: list[Provider] = []


def accountability_provider(func: Provider) -> Provider:
    """Register func(*, partners, user, period, today) -> {partner id: [Duty]} (answering for every partner
    given in a fixed number of queries, however many there are)."""
    PROVIDERS.append(func)
    return func


def duties_for_partners(*, partners, user, period: Period, today: date | None = None) -> dict[int, list[Duty]]:
    """Each partner's duties over the period as the viewer may see them, in their order."""
    today = today or timezone.localdate()
    partners = list(partners)
    found: dict[int, list[Duty]] = {p.pk: [] for p in partners}
    if not partners:
        return found
    for provider in PROVIDERS:
        for partner_id, duties in provider(partners=partners, user=user, period=period, today=today).items():
            found.setdefault(partner_id, []).extend(duties)
    for duties in found.values():
        duties.sort(key=lambda d: (d.order, d.title))
    return found


def duties_for(*, partner, user, period: Period, today: date | None = None) -> list[Duty]:
    """One partner's duties over the period as the viewer may see them."""
    return duties_for_partners(partners=[partner], user=user, period=period, today=today)[partner.pk]


# --- How far the viewer's rules reach ----------------------------------------------------------------
def sees_every_row(user, action: str) -> bool:
    """Whether the viewer's rules reach every row of an action (the PCC office's all-rows permissions)."""
    rule = permissions.RULES[action]
    if rule.object_perm is None:
        return permissions.can(user, action)
    # NOTE: the engine's own test; it stays private there because no other page needs to ask it.
    return permissions._covers_all_rows(user, rule, permissions._seats_for(user, rule))


def own_partner_ids(user, action: str) -> set[int]:
    """The partners where the viewer holds a role that takes the action (their own partners)."""
    return set(permissions.acting_partner_ids(user, action))


def reach(user, action: str, partner_id: int, *, own_covers_all: bool = True) -> str:
    """How much of one partner's rows under an action the viewer's rules reach: ALL for the office's all-rows
    permissions (and, where the app grants its partners every row of their own, for a seat at the partner),
    SOME where grants to the viewer's own partner may cover some of them, HIDDEN where the role takes no
    such action at all."""
    if not permissions.can(user, action):
        return HIDDEN
    if sees_every_row(user, action) or (own_covers_all and partner_id in own_partner_ids(user, action)):
        return ALL
    return SOME
