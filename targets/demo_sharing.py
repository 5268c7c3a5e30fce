"""Demo data-sharing agreements (seed step 50, after the indicators of step 20).

Idempotent: keyed by reference, each agreement is made only when missing, through the services,
so its grants, signatures and history are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from partners import services
from partners.demo import LOCAL_AUTHORITIES, PEOPLE
from partners.models import DataSharingAgreement, Partner, Role
from portal.seeding import SEED, seed_step

from .demo import yjs_fte_code
from .models import Indicator

DSA = DataSharingAgreement
COUNCILS = [f"{name.lower()}-council" for _, name in LOCAL_AUTHORITIES]
YOUTH_JUSTICE = [f"{name.lower()}-yjs" for _, name in LOCAL_AUTHORITIES]


@dataclass
class Spec:
    reference: str
    title: str
    provider: str
    recipients: list[str]
    indicators: list[str]
    level: str
    lawful_basis: str
    purpose: str
    status: str
    starts: int  # days from today (negative: in the past)
    ends: int
    reviews: int
    special_category: bool = False
    criminal_offence: bool = False
    reason: str = ""
    unsigned: list[str] = field(default_factory=list)  # parties that have not signed yet


AGREEMENTS = [
    Spec(
        "DSA-2026-001",
        "Recorded violence and neighbourhood crime for community safety partnerships",
        "west-midlands-police",
        COUNCILS + ["west-midlands-vrp"],
        ["SV-1000", "NC-1000", "HOM"],
        DSA.Level.AGGREGATE,
        DSA.LawfulBasis.PUBLIC_TASK,
        "Councils and the Violence Reduction Partnership plan and measure their community safety work (Crime "
        "and Disorder Act 1998, section 17) against the police's recorded crime figures for their areas.",
        DSA.Status.ACTIVE,
        starts=-240,
        ends=730,
        reviews=20,
    ),
    # NOTE: the police's area-wide rate (from the Police National Computer) still goes to the youth
    # justice services, who own targets on it; each service's own caseload count goes the other way
    # (YJS_AGREEMENTS below).
    Spec(
        "DSA-2026-002",
        "First-time entrants aged 10 to 17, with breakdowns, for youth justice services",
        "west-midlands-police",
        YOUTH_JUSTICE,
        ["FTE10-17"],
        DSA.Level.BREAKDOWNS,
        DSA.LawfulBasis.LAW_ENFORCEMENT,
        "Youth justice services target early help and out-of-court work, and find and close the gaps between "
        "ethnic groups, using first-time entrant figures broken down by sex and ethnicity.",
        DSA.Status.ACTIVE,
        starts=-180,
        ends=900,
        reviews=185,
        special_category=True,
        criminal_offence=True,
    ),
    Spec(
        "DSA-2026-003",
        "Adult proven reoffending for police offender management",
        "probation-west-midlands",
        ["west-midlands-police"],
        ["REOFF-ADULT"],
        DSA.Level.AGGREGATE,
        DSA.LawfulBasis.LAW_ENFORCEMENT,
        "Integrated offender management teams compare reoffending rates with their caseloads.",
        DSA.Status.SUSPENDED,
        starts=-300,
        ends=430,
        reviews=60,
        criminal_offence=True,
        reason="A cohort was counted twice in the latest return. Suspended while Probation corrects the figures.",
    ),
    Spec(
        "DSA-2026-004",
        "Crown Court timeliness for victim services (pilot)",
        "hmcts-west-midlands",
        ["victim-support-west-midlands"],
        ["OTC-DAYS"],
        DSA.Level.AGGREGATE,
        DSA.LawfulBasis.PUBLIC_TASK,
        "Victim Support planned its court-based support around waiting times during a one-year pilot.",
        DSA.Status.ENDED,
        starts=-400,
        ends=-30,
        reviews=-200,
    ),
    # NOTE: DA-1000 is published as totals only, so the agreement shares aggregate figures only.
    Spec(
        "DSA-2026-005",
        "Domestic abuse incidents for probation",
        "west-midlands-police",
        ["probation-west-midlands"],
        ["DA-1000"],
        DSA.Level.AGGREGATE,
        DSA.LawfulBasis.LAW_ENFORCEMENT,
        "Probation practitioners assess risk in domestic abuse cases with the pattern of incidents by area.",
        DSA.Status.AWAITING_SIGNATURES,
        starts=14,
        ends=744,
        reviews=380,
        special_category=True,
        criminal_offence=True,
        unsigned=["probation-west-midlands"],
    ),
]
# Each youth justice service shares its own first-time entrants, with breakdowns, with the police.
YJS_AGREEMENTS = [
    Spec(
        f"DSA-2026-{n:03d}",
        f"First-time entrants to {name} Youth Justice Service, with breakdowns, for the police",
        f"{name.lower()}-yjs",
        ["west-midlands-police"],
        [yjs_fte_code(name)],
        DSA.Level.BREAKDOWNS,
        DSA.LawfulBasis.LAW_ENFORCEMENT,
        f"The police's youth offender management and out-of-court disposal teams see how many children from "
        f"{name} come onto the youth justice service's caseload after a first caution or conviction, by age band, "
        f"sex and ethnicity, to plan diversion with the service and close the gaps between ethnic groups.",
        DSA.Status.ACTIVE,
        starts=-150,
        ends=930,
        reviews=215,
        special_category=True,
        criminal_offence=True,
    )
    for n, (_, name) in enumerate(LOCAL_AUTHORITIES, start=6)
]
AGREEMENTS += YJS_AGREEMENTS

TERMS = dict(
    retention="Recipients keep the figures for as long as the agreement lasts and delete any copies within 30 "
    "days of it ending, suspending or being revoked. The portal stops showing them at once.",
    security_measures="Figures are read in the portal only, behind two-factor sign-in; exports are kept on "
    "partner systems accredited to the Cyber Essentials Plus standard.",
    contacts="The data protection officer of each party, through the Office of the PCC.",
)


def _signer(partner: Partner) -> str:
    """The demo signatory's name and title where there is one (signatures are recorded by the seed)."""
    for _, first, last, slug, role, title in PEOPLE:
        if slug == partner.slug and role == Role.SIGNATORY:
            return f"{first} {last}, {title}"
    return f"Signatory, {partner.short_name}"


def _make(spec: Spec, partners: dict, indicators: dict) -> None:
    today = timezone.localdate()
    start, end = today + timedelta(days=spec.starts), today + timedelta(days=spec.ends)
    provider = partners[spec.provider]
    agreement = services.dsa_draft(
        reference=spec.reference,
        title=spec.title,
        provider=provider,
        purpose=spec.purpose,
        lawful_basis=spec.lawful_basis,
        level=spec.level,
        special_category_data=spec.special_category,
        criminal_offence_data=spec.criminal_offence,
        recipients=[partners[s] for s in spec.recipients],
        indicators=[indicators[c] for c in spec.indicators],
        start_date=start,
        end_date=end,
        review_date=today + timedelta(days=spec.reviews),
        by=SEED,
        **TERMS,
    )
    if spec.status == DSA.Status.DRAFT:
        return
    # NOTE: sent and signed "as of" the start date, so that the ended one was active in its time.
    as_of = min(start, today)
    services.dsa_send(agreement=agreement, by=SEED, today=as_of)
    for slug in [spec.provider, *spec.recipients]:
        if slug not in spec.unsigned:
            services.dsa_sign(
                agreement=agreement, by=SEED, partner=partners[slug], today=as_of, signer_label=_signer(partners[slug])
            )
    if spec.status == DSA.Status.SUSPENDED:
        services.dsa_suspend(agreement=agreement, by=SEED, reason=spec.reason)
    elif spec.status == DSA.Status.ENDED:
        services.dsa_end_if_expired(agreement_id=agreement.pk, today=today)


@seed_step(order=50)
@transaction.atomic
def seed_sharing_agreements() -> None:
    partners = {p.slug: p for p in Partner.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    for spec in AGREEMENTS:
        if DSA.objects.filter(reference=spec.reference).exists():
            continue
        if any(s not in partners for s in [spec.provider, *spec.recipients]) or any(
            c not in indicators for c in spec.indicators
        ):
            continue  # the steps that make these have not run
        _make(spec, partners, indicators)
    for spec in performance_framework(partners):
        if not DSA.objects.filter(reference=spec.reference).exists():
            _make(spec, partners, indicators)


# The board's own figures, lawfully: each partner that provides an indicator with a board target shares those
# indicators, totals only, with the Office of the PCC, where the board's members sit (the LCJB performance
# framework). The same kind of agreement any partner signs: no special case in the permission code.
FRAMEWORK_FIRST_NUMBER = 20


def performance_framework(partners: dict) -> list[Spec]:
    """One agreement per provider of an indicator with a board target (the OPCC's own excepted)."""
    from .models import Target

    codes: dict[str, set[str]] = {}
    for slug, code in Target.objects.values_list("indicator__provider__slug", "indicator__code"):
        if slug in partners and slug != "opcc":
            codes.setdefault(slug, set()).add(code)
    return [
        Spec(
            f"DSA-2026-{FRAMEWORK_FIRST_NUMBER + n:03d}",
            f"LCJB performance framework: {partners[slug].short_name} figures for the board",
            slug,
            ["opcc"],
            sorted(found),
            DSA.Level.AGGREGATE,
            DSA.LawfulBasis.PUBLIC_TASK,
            "The Local Criminal Justice Board holds partners to account against the targets it has set: its "
            f"members see {partners[slug].short_name}'s figures for the indicators with a board target, as totals "
            "only, on the board's dashboards and in its board packs.",
            DSA.Status.ACTIVE,
            starts=-200,
            ends=900,
            reviews=165,
        )
        for n, (slug, found) in enumerate(sorted(codes.items()))
    ]
