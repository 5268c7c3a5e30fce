"""Reads of the PCC's powers for people signed in, filtered for the viewer through portal.permissions: a partner
sees its own decisions, call-ins and appointments; the PCC office sees every one; signed PCC decisions are
public (callins/public.py has the public register's own reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.working_days import is_working_day, working_days_between

from . import rules
from .models import Appointment, CallIn, CallInGround, PartnerDecision, PccDecision
from .workflows import APPOINTMENT_FLOW, CALLIN_FLOW, DECISION_FLOW, PCC_DECISION_FLOW, has_callin


# --- Partners' decisions -----------------------------------------------------------------------------
def decisions_visible_to(*, user) -> QuerySet[PartnerDecision]:
    return permissions.visible(user, rules.DECISION_VIEW, PartnerDecision.objects.all()).select_related("partner")


def decisions_narrowed(
    qs: QuerySet[PartnerDecision], *, search: str = "", partner=None, status: str = "", window: str = ""
) -> QuerySet[PartnerDecision]:
    """The same narrowing for the page and the API: words, a partner, a status, an open or closed window."""
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(reference__icontains=search) | Q(summary__icontains=search))
    if partner is not None:
        qs = qs.filter(partner=partner)
    if status:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    if window == "open":
        qs = qs.filter(window_closes_on__gte=today, waived_at__isnull=True, status=PartnerDecision.Status.LOGGED)
    elif window == "closed":
        qs = qs.exclude(window_closes_on__gte=today, waived_at__isnull=True, status=PartnerDecision.Status.LOGGED)
    return qs


def decision_get(*, user, pk: int) -> PartnerDecision:
    decision = permissions.get_visible_or_404(
        user, rules.DECISION_VIEW, PartnerDecision.objects.select_related("partner"), pk=pk
    )
    decision.transitions = DECISION_FLOW.available_to(user, decision)
    decision.callin_seen = CallIn.objects.filter(decision=decision).first()
    if decision.callin_seen is not None and not permissions.can(user, rules.CALLIN_VIEW, decision.callin_seen):
        decision.callin_seen = None
    if decision.callin_seen is not None and decision.callin_seen.status == CallIn.Status.DRAFT:
        if not permissions.can(user, rules.CALLIN_DRAFT):
            decision.callin_seen = None  # a draft is the PCC office's own
    decision.may_call_in = (
        permissions.can(user, rules.CALLIN_DRAFT) and decision.callin_seen is None and _callable(decision)
    )
    return decision


def _callable(decision: PartnerDecision) -> bool:
    return decision.status == PartnerDecision.Status.LOGGED and decision.window_open() and not has_callin(decision)


def window_days_left(decision: PartnerDecision, today: date | None = None) -> int | None:
    """Working days left in the call-in window, counting today if it is one (None once it has closed)."""
    today = today or timezone.localdate()
    if not decision.window_open(today):
        return None
    # NOTE: a Saturday is no working day: a window closing the Friday after has 5 left, not 6.
    return working_days_between(today, decision.window_closes_on) + (1 if is_working_day(today) else 0)


def partners_among(qs: QuerySet) -> QuerySet[Partner]:
    """The partners these rows belong to, by name (a list's partner filter offers only these)."""
    return Partner.objects.filter(pk__in=qs.order_by().values("partner_id")).order_by("name")


def partners_to_act_for(*, user, action: str) -> list[Partner]:
    """The active partners for which the person may log decisions (rules.DECISION_LOG) or record senior
    appointments (rules.APPOINTMENT_RECORD): their own partner, for most people one."""
    model = {rules.DECISION_LOG: PartnerDecision, rules.APPOINTMENT_RECORD: Appointment}[action]
    own = {seat.partner_id for seat in permissions.seats(user)}
    partners = Partner.objects.filter(pk__in=own, active=True).order_by("name")
    return [p for p in partners if permissions.can(user, action, model(partner=p))]


# --- Call-ins ------------------------------------------------------------------------------------------
def callins_visible_to(*, user) -> QuerySet[CallIn]:
    """Call-ins the person may see: the deciding partner's (never a draft: that is the PCC office's), and
    every one for the PCC office."""
    qs = permissions.visible(user, rules.CALLIN_VIEW, CallIn.objects.all()).select_related("partner", "decision")
    if not permissions.can(user, rules.CALLIN_DRAFT):
        qs = qs.exclude(status=CallIn.Status.DRAFT)
    return qs


def callins_narrowed(qs: QuerySet[CallIn], *, search: str = "", partner=None, status: str = "") -> QuerySet[CallIn]:
    if search:
        qs = qs.filter(
            Q(reference__icontains=search)
            | Q(decision__title__icontains=search)
            | Q(decision__reference__icontains=search)
        )
    if partner is not None:
        qs = qs.filter(partner=partner)
    if status:
        qs = qs.filter(status=status)
    return qs


def callin_get(*, user, pk: int) -> CallIn:
    callin = callins_visible_to(user=user).select_related("pcc_decision").filter(pk=pk).first()
    if callin is None:
        raise Http404
    callin.transitions = CALLIN_FLOW.available_to(user, callin)
    return callin


def grounds_current() -> QuerySet[CallInGround]:
    return CallInGround.objects.filter(active=True).order_by("order", "name")


def grounds_all() -> QuerySet[CallInGround]:
    """The whole list the PCC office keeps: those in use first, then those retired."""
    return CallInGround.objects.order_by("-active", "order", "name")


def ground_get(*, pk) -> CallInGround:
    ground = CallInGround.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if ground is None:
        raise Http404
    return ground


# --- The PCC's decisions ---------------------------------------------------------------------------------
def pcc_decisions_visible_to(*, user) -> QuerySet[PccDecision]:
    """Signed decisions (public, confidential ones included for people signed in who may see them: the PCC
    office), and drafts for the PCC office."""
    qs = PccDecision.objects.select_related("partner")
    if permissions.can(user, rules.PCC_DECISION_VIEW):
        return qs
    return qs.filter(status=PccDecision.Status.SIGNED, confidential=False)


def pcc_decisions_narrowed(
    qs: QuerySet[PccDecision], *, search: str = "", year: int | None = None, partner=None, kind: str = ""
) -> QuerySet[PccDecision]:
    """Words, a financial year (by the year it starts in), a partner, a kind."""
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    if year is not None:
        qs = qs.filter(year=year)
    if partner is not None:
        qs = qs.filter(partner=partner)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def pcc_decision_subjects() -> list[Partner]:
    """The partners a PCC decision may be about: every active partner but the PCC office itself."""
    return list(Partner.objects.filter(active=True).exclude(kind=Partner.Kind.PCC_OFFICE).order_by("name"))


def pcc_decision_years(qs: QuerySet[PccDecision]) -> list[int]:
    """The financial years with a signed decision among these, newest first."""
    return sorted({y for y in qs.exclude(year=None).values_list("year", flat=True).distinct()}, reverse=True)


def pcc_decision_get(*, user, pk: int) -> PccDecision:
    decision = pcc_decisions_visible_to(user=user).filter(pk=pk).first()
    if decision is None:
        raise Http404
    decision.transitions = PCC_DECISION_FLOW.available_to(user, decision)
    return decision


# --- Senior appointments ---------------------------------------------------------------------------------
def appointments_visible_to(*, user) -> QuerySet[Appointment]:
    return permissions.visible(user, rules.APPOINTMENT_VIEW, Appointment.objects.all()).select_related("partner")


def appointments_narrowed(qs: QuerySet[Appointment], *, partner=None, stage: str = "") -> QuerySet[Appointment]:
    if partner is not None:
        qs = qs.filter(partner=partner)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


def appointment_get(*, user, pk: int) -> Appointment:
    appointment = permissions.get_visible_or_404(
        user, rules.APPOINTMENT_VIEW, Appointment.objects.select_related("partner"), pk=pk
    )
    appointment.transitions = APPOINTMENT_FLOW.available_to(user, appointment)
    return appointment


# --- What waits for a person -------------------------------------------------------------------------------
@dataclass
class Waiting:
    text: str
    href: str
    due: date | None
    tag: str
    tag_colour: str


def _due_tag(due: date | None, today: date, label: str) -> tuple[str, str]:
    if due is not None and due < today:
        return "Overdue", "red"
    return label, "blue"


def waiting_for(*, user, today: date | None = None) -> list[Waiting]:
    """The PCC office: windows closing soon, call-ins to issue, responses due and overdue, determinations to make,
    appointments awaiting the PCC's view. A partner: its decisions under call-in, responses and
    reconsiderations due, appointments to confirm. Soonest first."""
    today = today or timezone.localdate()
    items: list[Waiting] = []
    if permissions.can(user, rules.CALLIN_DRAFT):
        items += _for_the_pcc_office(user, today)
    items += _for_partners(user, today)
    return sorted(items, key=lambda w: (w.due is None, w.due or date.max, w.text))


def _for_the_pcc_office(user, today: date) -> list[Waiting]:
    items = []
    closing = PartnerDecision.objects.filter(
        status=PartnerDecision.Status.LOGGED, waived_at__isnull=True, window_closes_on__gte=today, callin__isnull=True
    ).select_related("partner")
    for decision in closing.order_by("window_closes_on")[:20]:
        left = window_days_left(decision, today)
        when = "today" if decision.window_closes_on == today else f"in {left} working day{'s' if left != 1 else ''}"
        items.append(
            Waiting(
                f"{decision.partner.short_name}: {decision.title} ({decision.reference}): call-in window closes {when}",
                decision.get_absolute_url(),
                decision.window_closes_on,
                "Window open",
                "yellow",
            )
        )
    issue = permissions.can(user, rules.CALLIN_ISSUE)
    for callin in CallIn.objects.exclude(
        status__in=[CallIn.Status.STANDS, CallIn.Status.CLOSED, CallIn.Status.WITHDRAWN]
    ).select_related("partner", "decision"):
        if callin.status == CallIn.Status.DRAFT:
            if issue:
                items.append(
                    Waiting(
                        f"Issue call-in {callin.reference} of {callin.partner.short_name}'s {callin.decision.reference}",
                        callin.get_absolute_url(),
                        callin.decision.window_closes_on,
                        "Draft to issue",
                        "grey",
                    )
                )
        elif callin.status == CallIn.Status.ISSUED:
            tag, colour = _due_tag(callin.response_due, today, "Response due")
            items.append(
                Waiting(
                    f"{callin.partner.short_name}'s response to call-in {callin.reference}",
                    callin.get_absolute_url(),
                    callin.response_due,
                    tag,
                    colour,
                )
            )
        elif callin.status == CallIn.Status.RESPONDED:
            tag, colour = _due_tag(callin.determination_due, today, "To determine")
            items.append(
                Waiting(
                    f"Determine call-in {callin.reference}",
                    callin.get_absolute_url(),
                    callin.determination_due,
                    tag,
                    colour,
                )
            )
    for appointment in Appointment.objects.filter(stage=Appointment.Stage.PCC_CONSULTED).select_related("partner"):
        tag, colour = _due_tag(appointment.view_due, today, "View due")
        items.append(
            Waiting(
                f"The PCC's view on {appointment.partner.short_name}'s {appointment.post}",
                appointment.get_absolute_url(),
                appointment.view_due,
                tag,
                colour,
            )
        )
    if permissions.can(user, rules.PCC_DECISION_SIGN):
        for draft in PccDecision.objects.filter(status=PccDecision.Status.DRAFT, kind=PccDecision.Kind.GENERAL)[:20]:
            items.append(Waiting(f"Sign decision: {draft.title}", draft.get_absolute_url(), None, "To sign", "grey"))
    return items


def _for_partners(user, today: date) -> list[Waiting]:
    items = []
    seen = permissions.visible(user, rules.CALLIN_RESPOND, CallIn.objects.all())
    if permissions.can(user, rules.CALLIN_DRAFT):
        seen = seen.filter(partner_id__in=[s.partner_id for s in permissions.seats(user)])
    for callin in seen.filter(status__in=[CallIn.Status.ISSUED, CallIn.Status.REFERRED_BACK]).select_related(
        "partner", "decision"
    ):
        if callin.status == CallIn.Status.ISSUED:
            tag, colour = _due_tag(callin.response_due, today, "Response due")
            words = "submit" if permissions.can(user, rules.CALLIN_SUBMIT, callin) else "write"
            items.append(
                Waiting(
                    f"{callin.decision.reference} is called in ({callin.reference}): {words} the response",
                    callin.get_absolute_url(),
                    callin.response_due,
                    tag,
                    colour,
                )
            )
        else:
            tag, colour = _due_tag(callin.reconsider_by, today, "Reconsider")
            items.append(
                Waiting(
                    f"{callin.decision.reference} was referred back: record the final outcome",
                    callin.decision.get_absolute_url(),
                    callin.reconsider_by,
                    tag,
                    colour,
                )
            )
    mine = permissions.visible(user, rules.APPOINTMENT_RECORD, Appointment.objects.all())
    if permissions.can(user, rules.APPOINTMENT_VIEW_RECORD):
        mine = mine.filter(partner_id__in=[s.partner_id for s in permissions.seats(user)])
    for appointment in mine.filter(stage=Appointment.Stage.VIEW_RECORDED).select_related("partner"):
        items.append(
            Waiting(
                f"The PCC's view on your {appointment.post} is recorded: confirm the appointment",
                appointment.get_absolute_url(),
                None,
                "To confirm",
                "grey",
            )
        )
    return items


def counts_for_board(*, user) -> dict:
    """How many call-ins are open and determined, and decisions logged this financial year (board members)."""
    if not permissions.can(user, rules.POWERS_COUNTS):
        return {}
    return {
        "open": CallIn.objects.filter(status__in=CallIn.OPEN_STATUSES).count(),
        "determined": CallIn.objects.filter(
            status__in=[CallIn.Status.STANDS, CallIn.Status.CLOSED, CallIn.Status.REFERRED_BACK]
        ).count(),
        "withdrawn": CallIn.objects.filter(status=CallIn.Status.WITHDRAWN).count(),
        "decisions": PartnerDecision.objects.count(),
    }
