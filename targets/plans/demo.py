"""Demo plans (seed step 60): the board's 2025 to 2028 strategic plan, agreed last year with every
signature; and a 2026 to 2027 delivery plan in sign-off (version 1 returned with reasons, version 2 with
some partners signed and one overdue), with actions done, in progress, not started and late.

Made through the services as the demo seed; the dates of what happened "last year" are then set back
(the services stamp the time they run), which only the demo does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from partners.demo import PEOPLE
from partners.models import Partner
from portal.permissions import is_signing_role
from portal.seeding import SEED, notifications_dated, seed_step
from portal.working_days import add_working_days

from ..models import Priority, Target
from . import services
from .models import Plan, PlanAction, PlanComment, PlanSection, PlanSignOff, PlanVersion

STRATEGIC_TITLE = "West Midlands criminal justice strategic plan 2025 to 2028"
DELIVERY_TITLE = "Reducing serious violence: delivery plan"  # and its financial year: delivery_title()


def financial_year(today: date) -> tuple[date, date]:
    """The financial year (April to March) that holds today."""
    start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return start, date(start.year + 1, 3, 31)


def delivery_title(today: date) -> str:
    start, end = financial_year(today)
    return f"{DELIVERY_TITLE} {start.year} to {end.year}"


STRATEGIC_SECTIONS = [
    (
        "Our shared purpose",
        "Partners of the Local Criminal Justice Board will work as **one system**: fewer people drawn into crime, "
        "victims who are heard and supported, and justice that is swift and fair.\n\n"
        "This plan meets the duty on each partner to collaborate on the region's plans and to sign them off.",
        None,
    ),
    (
        "Our priorities",
        "1. Reduce homicide, serious violence and neighbourhood crime.\n"
        "2. Fewer first-time entrants, especially children and young people.\n"
        "3. Shorter waits for victims, from offence to the end of the case.\n"
        "4. Less reoffending.\n"
        "5. Tackle domestic abuse and violence against women and girls.",
        None,
    ),
    (
        "How we will share data",
        "Each partner shares the figures the board's targets need under a **data-sharing agreement** in the "
        "portal, at the level it allows. Agreements are reviewed every year.",
        "west-midlands-police",
    ),
    (
        "How we will hold ourselves to account",
        "The board reviews every target's status each quarter. A partner whose target is *off track* brings a "
        "recovery plan to the next board.",
        "probation-west-midlands",
    ),
]
STRATEGIC_PARTNERS = [
    "west-midlands-police",
    "cps-west-midlands",
    "hmcts-west-midlands",
    "probation-west-midlands",
    "victim-support-west-midlands",
    "west-midlands-vrp",
]

DELIVERY_SECTIONS = [
    (
        "What we will achieve",
        "Serious violence offences in the West Midlands fall to the trajectory agreed by the board, with the "
        "biggest falls in Birmingham.",
        None,
    ),
    (
        "Focused deterrence",
        "The police and probation jointly manage the people most likely to commit serious violence, with offers "
        "of support and clear consequences.",
        "probation-west-midlands",
    ),
    (
        "Working with schools",
        "The Violence Reduction Partnership extends education on knife crime to every secondary school in Birmingham.",
        "west-midlands-vrp",
    ),
    (
        "Children at risk of exploitation",
        "The youth justice service screens every child who comes to notice for exploitation, and refers them "
        "to the right support within 5 working days.",
        "birmingham-yjs",
    ),
]
DELIVERY_PARTNERS = ["probation-west-midlands", "west-midlands-vrp", "birmingham-council", "birmingham-yjs"]


def _signer(partner: Partner) -> str:
    for _, first, last, slug, role, title in PEOPLE:
        if slug == partner.slug and is_signing_role(role):
            return f"{first} {last}, {title}"
    return f"Signatory, {partner.short_name}"


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@seed_step(order=60)
@transaction.atomic
def seed_plans() -> None:
    partners = {p.slug: p for p in Partner.objects.all()}
    needed = {*STRATEGIC_PARTNERS, *DELIVERY_PARTNERS, "west-midlands-police"}
    if not needed <= set(partners) or not Priority.objects.exists():
        return  # the steps that make partners and priorities have not run
    today = timezone.localdate()
    if not Plan.objects.filter(title=STRATEGIC_TITLE).exists():
        _strategic(partners, today)
    if not Plan.objects.filter(title=delivery_title(today)).exists():
        _delivery(partners, today)
    # This morning's reminders, as beat sends them at 07:30 (once a day: a later run today repeats none).
    services.plan_signoff_reminders(today=today, by=SEED)


def _strategic(partners: dict, today: date) -> None:
    year = today.year - 1
    plan = services.plan_create(
        kind=Plan.Kind.STRATEGIC,
        title=STRATEGIC_TITLE,
        owner=None,
        summary="The board's plan for the region's criminal justice system, agreed by every partner.",
        period_start=date(2025, 4, 1),
        period_end=date(2028, 3, 31),
        contributors=[partners[s] for s in STRATEGIC_PARTNERS],
        priorities=list(Priority.objects.all()),
        targets=list(Target.objects.all()),
        sections=[(t, b, partners.get(a)) for t, b, a in STRATEGIC_SECTIONS],
        by=SEED,
    )
    version = plan.versions.get()
    sent = date(year, 3, 3)
    with notifications_dated(_at(sent), read=True):
        services.plan_version_send(version=version, by=SEED, working_days=15, today=sent)
    agreed_on = add_working_days(sent, 2 + version.signoffs.count())
    with notifications_dated(_at(agreed_on, 16), read=True):
        for offset, signoff in enumerate(version.signoffs.select_related("partner").order_by("partner__name")):
            services.plan_signoff_sign(
                signoff=signoff,
                by=SEED,
                signer_label=_signer(signoff.partner),
                statement="Agreed on behalf of our organisation." if offset % 2 == 0 else "",
            )
            PlanSignOff.objects.filter(pk=signoff.pk).update(decided_at=_at(add_working_days(sent, 2 + offset)))
    PlanVersion.objects.filter(pk=version.pk).update(
        sent_at=_at(sent), agreed_at=_at(agreed_on, 16), created_at=_at(sent - timedelta(days=30))
    )
    PlanSection.objects.filter(version=version).update(updated_at=_at(sent - timedelta(days=10)))


def _delivery(partners: dict, today: date) -> None:
    police = partners["west-midlands-police"]
    priority = Priority.objects.filter(slug="reduce-violence-and-neighbourhood-crime").first()
    targets = list(Target.objects.filter(indicator__code="SV-1000"))
    period_start, period_end = financial_year(today)
    plan = services.plan_create(
        kind=Plan.Kind.DELIVERY,
        title=delivery_title(today),
        owner=police,
        summary="How the police and partners will bring serious violence down this year.",
        period_start=period_start,
        period_end=period_end,
        contributors=[partners[s] for s in DELIVERY_PARTNERS],
        priorities=[priority] if priority else [],
        targets=targets,
        sections=[(t, b, partners.get(a)) for t, b, a in DELIVERY_SECTIONS],
        by=SEED,
    )
    first = plan.versions.get()
    target = targets[0] if targets else None
    actions = [
        ("Joint tasking of the 50 people most likely to commit serious violence", police, -60, "done"),
        (
            "Knife-crime education in every Birmingham secondary school",
            partners["west-midlands-vrp"],
            -20,
            "in_progress",
        ),
        ("Exploitation screening for every child who comes to notice", partners["birmingham-yjs"], -5, "not_started"),
        ("Street lighting and CCTV in the three hotspot wards", partners["birmingham-council"], 45, "in_progress"),
        ("Report the year's results to the board", police, 120, "not_started"),
    ]
    for what, owner, days, status in actions:
        due = min(max(today + timedelta(days=days), period_start), period_end)  # within the year's plan
        action = services.plan_action_add(
            version=first, what=what, owner=owner, due_date=due, target=target, by=SEED, confirm_past=True
        )
        PlanAction.objects.filter(pk=action.pk).update(status=status)
    # Version 1: sent, then returned by probation with reasons; version 2 is the new draft made from it.
    sent_first = add_working_days(today, -30)
    returned_on = add_working_days(sent_first, 4)
    with notifications_dated(_at(sent_first), read=True):
        services.plan_version_send(version=first, by=SEED, working_days=10, today=sent_first)
    probation = first.signoffs.get(partner=partners["probation-west-midlands"])
    with notifications_dated(_at(returned_on, 15), read=True):
        second = services.plan_signoff_return(
            signoff=probation,
            by=SEED,
            reasons="The focused deterrence section does not say who pays for the extra probation officers. Add "
            "the funding and how caseloads will be kept safe, then send it again.",
        )
    PlanSignOff.objects.filter(pk=probation.pk).update(
        decided_at=_at(returned_on, 15), decided_by_label=_signer(partners["probation-west-midlands"])
    )
    PlanVersion.objects.filter(pk=first.pk).update(
        sent_at=_at(sent_first), created_at=_at(add_working_days(sent_first, -20)), closed_at=_at(returned_on, 15)
    )
    PlanVersion.objects.filter(pk=second.pk).update(created_at=_at(returned_on, 15))
    written = _at(add_working_days(sent_first, -5))
    PlanSection.objects.filter(version__in=[first, second]).update(updated_at=written)
    focused = second.sections.get(title="Focused deterrence")
    services.plan_section_update(
        section=focused,
        by=SEED,
        body=focused.body + "\n\nThe Office of the PCC funds **four extra probation officers** from the violence "
        "reduction fund, so that each officer's caseload stays within the national limit.",
    )
    services.plan_version_note(
        version=second,
        note="Focused deterrence now says who pays for the extra probation officers (the Office of the PCC, from "
        "the violence reduction fund) and how caseloads stay within the national limit.",
        by=SEED,
    )
    # Version 2: sent 15 working days ago, due 3 working days ago: most have signed, one is overdue.
    sent_second = add_working_days(today, -15)
    with notifications_dated(_at(sent_second)):
        services.plan_version_send(version=second, by=SEED, working_days=12, today=sent_second)
    PlanVersion.objects.filter(pk=second.pk).update(sent_at=_at(sent_second))
    PlanSection.objects.filter(pk=focused.pk).update(updated_at=_at(add_working_days(returned_on, 2), 11))
    signed_on = add_working_days(sent_second, 3)
    for slug in ("west-midlands-police", "probation-west-midlands", "west-midlands-vrp", "birmingham-council"):
        signoff = second.signoffs.get(partner=partners[slug])
        with notifications_dated(_at(signed_on)):
            services.plan_signoff_sign(
                signoff=signoff,
                by=SEED,
                signer_label=_signer(partners[slug]),
                statement="" if slug != "probation-west-midlands" else "Signed now that the extra officers are funded.",
            )
        PlanSignOff.objects.filter(pk=signoff.pk).update(decided_at=_at(signed_on))
    # Birmingham Youth Justice Service has not signed: its sign-off is overdue.
    _comments(second, partners, day=add_working_days(sent_second, 1))


def _comments(version, partners: dict, *, day: date) -> None:
    """A conversation on the schools section, as partners have while a version is signed off (made through
    the service as the demo people, so it is audited like any other)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    people = {u.username: u for u in User.objects.filter(username__in=["vrp.officer", "yjs.birmingham.officer"])}
    section = version.sections.filter(title="Working with schools").first()
    if section is None or len(people) < 2:
        return
    with notifications_dated(_at(day, 11), read=True):
        first = services.plan_comment_add(
            section=section,
            by=people["yjs.birmingham.officer"],
            body="Could the sessions include the pupil referral units? Most of the children we see were excluded "
            "before they offended.",
        )
    with notifications_dated(_at(day, 15), read=True):
        reply = services.plan_comment_add(
            section=section,
            parent=first,
            by=people["vrp.officer"],
            body="Yes: we will add the three pupil referral units in Birmingham from January.",
        )
    PlanComment.objects.filter(pk=first.pk).update(created_at=_at(day, 11))
    PlanComment.objects.filter(pk=reply.pk).update(created_at=_at(day, 15))
