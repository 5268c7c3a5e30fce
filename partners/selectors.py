"""Reads of partners and people, filtered by what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from portal import permissions
from portal.models import AuditEvent
from portal.roles import SIGNING_ROLES

from . import rules
from .models import ApiToken, DataSharingAgreement, DsaSignature, Membership, Partner
from .sharing import attach_covered, coverage


def partner_list_visible_to(*, user, search: str = "", kind: str = "") -> QuerySet[Partner]:
    """The partner directory: every active partner, to anyone who holds a role."""
    qs = permissions.visible(user, rules.PARTNER_VIEW, Partner.objects.filter(active=True))
    return partners_narrowed(qs, search=search, kind=kind).prefetch_related("areas").order_by("name")


def partners_narrowed(qs: QuerySet[Partner], *, search: str = "", kind: str = "") -> QuerySet[Partner]:
    """Narrow partners already filtered for the viewer (the directory page and the API's FilterSet)."""
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def partner_get(*, user, slug: str) -> Partner:
    """One partner with its areas and current people, or 404."""
    active_people = Membership.objects.active().select_related("user").order_by("role", "user__last_name")
    qs = Partner.objects.prefetch_related("areas", Prefetch("memberships", queryset=active_people, to_attr="people"))
    return permissions.get_visible_or_404(user, rules.PARTNER_VIEW, qs, slug=slug)


def seats_of(user):
    """Where the permissions engine finds a person's seats: (partner id, partner Group id, role) for each
    active membership at an active partner (registered with portal.permissions at start-up)."""
    return (
        Membership.objects.active()
        .filter(user=user, partner__active=True)
        .values_list("partner_id", "partner__group_id", "role")
    )


def signers_of(partner_ids, *, on=None) -> list[int]:
    """The people who sign for these partners (user ids): their signatories, and for the PCC office the
    Commissioner. Never their officers: a request to sign goes only to someone who can sign."""
    return list(
        Membership.objects.active(on)
        .filter(
            partner_id__in=list(partner_ids),
            partner__active=True,
            role__in=list(SIGNING_ROLES),
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def partners_without_signers(partners, *, on=None) -> list[Partner]:
    """Those of these partners that nobody can sign for (on a day: today by default), by name."""
    partners = list(partners)
    signing = set(
        Membership.objects.active(on)
        .filter(partner__in=partners, role__in=list(SIGNING_ROLES), user__is_active=True)
        .values_list("partner_id", flat=True)
    )
    return sorted((p for p in partners if p.pk not in signing), key=lambda p: p.name)


def partner_choices() -> list[tuple[int, str]]:
    """Every partner, by name, for filters in core pages (registered with portal.directory)."""
    return list(Partner.objects.order_by("name").values_list("pk", "name"))


def memberships_of(*, user) -> QuerySet[Membership]:
    """A person's own memberships, current and past."""
    return Membership.objects.filter(user=user).select_related("partner").order_by("-active_from")


# Sections other apps add to the partner page (remits, targets owned, agreements).
PARTNER_SECTIONS: list = []


def partner_section(func):
    """Register func(user, partner) -> dict | None ({"title", "template", ...context}) for the partner page."""
    PARTNER_SECTIONS.append(func)
    return func


def partner_sections(*, user, partner) -> list[dict]:
    """The extra sections of a partner page, each already filtered for the viewer."""
    return [s for s in (f(user, partner) for f in PARTNER_SECTIONS) if s]


# --- Data-sharing agreements --------------------------------------------------------------------
def dsa_list_visible_to(
    *, user, partner: Partner | None = None, status: str = "", indicator=None
) -> QuerySet[DataSharingAgreement]:
    """Agreements the user may see (their partners' as provider or recipient; all for the PCC office)."""
    qs = permissions.visible(user, rules.DSA_VIEW, DataSharingAgreement.objects.all())
    return (
        dsa_narrowed(qs, partner=partner, status=status, indicator=indicator)
        .select_related("provider")
        .prefetch_related(Prefetch("recipients", queryset=Partner.objects.order_by("name")), "signatures")
        .order_by("-created_at", "-id")
    )


def dsa_narrowed(
    qs: QuerySet[DataSharingAgreement], *, partner: Partner | None = None, status: str = "", indicator=None
) -> QuerySet[DataSharingAgreement]:
    """Narrow agreements already filtered for the viewer: a party (as provider or recipient), a status, an
    item covered (a Covered or anything with its pk). The agreements page and the API's FilterSet."""
    if partner is not None:
        qs = qs.filter(
            Q(provider=partner) | Q(pk__in=DataSharingAgreement.objects.filter(recipients=partner).values("pk"))
        )
    if status:
        qs = qs.filter(status=status)
    if indicator is not None:
        qs = qs.filter(pk__in=coverage().agreement_ids_covering(indicator.pk))
    return qs


def with_coverage(agreements) -> list[DataSharingAgreement]:
    """The agreements (a page of them, say) with `covered` set on each: what it covers, in one query."""
    return attach_covered(agreements)


@dataclass
class DsaParty:
    partner: Partner
    role: str  # "Provider" or "Recipient"
    signature: DsaSignature | None


def dsa_get(*, user, pk: int) -> DataSharingAgreement:
    """One agreement with its parties, signatures and indicators, or 404 for one the user may not know."""
    qs = DataSharingAgreement.objects.select_related("provider", "created_by").prefetch_related(
        Prefetch("recipients", queryset=Partner.objects.order_by("name")),
        Prefetch("signatures", queryset=DsaSignature.objects.select_related("partner", "signed_by")),
    )
    agreement = permissions.get_visible_or_404(user, rules.DSA_VIEW, qs, pk=pk)
    attach_covered([agreement])
    by_partner = {s.partner_id: s for s in agreement.signatures.all()}
    agreement.parties = [DsaParty(agreement.provider, "Provider", by_partner.get(agreement.provider_id))] + [
        DsaParty(p, "Recipient", by_partner.get(p.pk)) for p in agreement.recipients.all()
    ]
    agreement.fully_signed = all(p.signature for p in agreement.parties)
    return agreement


def dsa_history(*, agreement: DataSharingAgreement) -> QuerySet[AuditEvent]:
    """Every audited step of an agreement, oldest first (shown to whoever may see the agreement)."""
    return AuditEvent.objects.filter(
        object_type=DataSharingAgreement._meta.label_lower, object_id=str(agreement.pk)
    ).order_by("id")


def dsa_actions_for(*, user, agreement: DataSharingAgreement) -> list:
    """The transitions the agreement page offers this person now (the services check again)."""
    from .workflows import DSA_FLOW

    return DSA_FLOW.available_to(user, agreement)


def dsa_unsigned_partners_for(*, user, agreement: DataSharingAgreement) -> list[Partner]:
    """The parties the user may sign for that have not signed yet."""
    if agreement.status != DataSharingAgreement.Status.AWAITING_SIGNATURES:
        return []
    ids = set(permissions.acting_partner_ids(user, rules.DSA_SIGN, agreement))
    if not ids:
        return []
    parties = {agreement.provider_id, *agreement.recipients.values_list("pk", flat=True)}
    signed = set(agreement.signatures.values_list("partner_id", flat=True))
    return list(Partner.objects.filter(pk__in=(ids & parties) - signed).order_by("name"))


def dsa_awaiting_signature_of(*, user) -> list[DataSharingAgreement]:
    """Agreements waiting for a signature the user may give (for the start page)."""
    qs = (
        permissions.visible(
            user,
            rules.DSA_SIGN,
            DataSharingAgreement.objects.filter(status=DataSharingAgreement.Status.AWAITING_SIGNATURES),
        )
        .select_related("provider")
        .order_by("sent_at")
    )
    return [a for a in qs[:50] if dsa_unsigned_partners_for(user=user, agreement=a)]


def dsa_reviews_due_for(*, user, within_days: int = 30, today=None) -> QuerySet[DataSharingAgreement]:
    """Active agreements the user manages (provider, or the PCC office) whose review or end date is near."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=within_days)
    qs = permissions.visible(
        user, rules.DSA_SUSPEND, DataSharingAgreement.objects.filter(status=DataSharingAgreement.Status.ACTIVE)
    )
    return (
        qs.filter(Q(review_date__lte=horizon) | Q(end_date__lte=horizon))
        .select_related("provider")
        .order_by("review_date")
    )


@dataclass
class SharingLine:
    """One provider sharing with one recipient under one active agreement."""

    recipient: Partner
    agreement: DataSharingAgreement
    visible: bool  # the viewer may open the agreement's terms
    indicators: list  # Covered (partners.sharing), by code
    level: str  # in words: "aggregate figures only" or "aggregate figures and breakdowns"


def dsa_sharing_matrix(*, user) -> dict:
    """Who shares what with whom under active agreements, in words: for each provider (by name), a
    line per recipient and agreement; the partners that share nothing; the indicators named.

    NOTE: shown to everyone with a role, not only to the parties: that an agreement exists, who is
    in it and which indicators it covers at what level is accountability information (the duty to
    share). Terms, contacts and figures stay on the agreement page, which only parties and the PCC
    office may open; the page links there only for those who may.
    """
    if not permissions.can(user, rules.DSA_VIEW):
        return {"providers": [], "not_sharing": [], "indicators": []}
    active = attach_covered(
        DataSharingAgreement.objects.filter(status=DataSharingAgreement.Status.ACTIVE)
        .select_related("provider")
        .prefetch_related("recipients")
        .order_by("reference")
    )
    visible_ids = set(
        permissions.visible(
            user, rules.DSA_VIEW, DataSharingAgreement.objects.filter(pk__in=[a.pk for a in active])
        ).values_list("pk", flat=True)
    )
    lines: dict[int, list[SharingLine]] = {}
    for agreement in active:
        level = "aggregate figures and breakdowns" if agreement.allows_breakdowns else "aggregate figures only"
        for recipient in agreement.recipients.all():
            lines.setdefault(agreement.provider_id, []).append(
                SharingLine(
                    recipient=recipient,
                    agreement=agreement,
                    visible=agreement.pk in visible_ids,
                    indicators=list(agreement.covered),
                    level=level,
                )
            )
    providers = sorted({a.provider for a in active}, key=lambda p: p.name)
    groups = [
        {
            "provider": p,
            "lines": sorted(lines.get(p.pk, []), key=lambda line: (line.recipient.name, line.agreement.reference)),
            "recipients": len({line.recipient.pk for line in lines.get(p.pk, [])}),
        }
        for p in providers
    ]
    not_sharing = list(
        permissions.visible(user, rules.PARTNER_VIEW, Partner.objects.filter(active=True))
        .exclude(pk__in=[p.pk for p in providers])
        .order_by("name")
    )
    indicators = sorted({i for a in active for i in a.covered}, key=lambda i: i.code)
    return {"providers": groups, "not_sharing": not_sharing, "indicators": indicators}


@partner_section
def partner_sharing_agreements(user, partner: Partner) -> dict | None:
    """The partner page's agreements: those the viewer may see where the partner gives or receives data."""
    agreements = with_coverage(
        dsa_list_visible_to(user=user, partner=partner).filter(status__in=DataSharingAgreement.LIVE_STATUSES)
    )
    if not agreements:
        return None
    return {"title": "Data-sharing agreements", "template": "partners/_dsa_section.html", "agreements": agreements}


def partners_acting_for(*, user, action: str) -> list[Partner]:
    """The active partners for which the user may take an action guarded on the partner itself
    (submit a data return, draft an agreement): role and the partner's own grant together."""
    return list(permissions.visible(user, action, Partner.objects.filter(active=True)).order_by("name"))


def api_tokens_visible_to(*, user) -> QuerySet[ApiToken]:
    """Partner-system API tokens, for those who manage them (the PCC office)."""
    if not permissions.can(user, rules.API_TOKEN_MANAGE):
        return ApiToken.objects.none()
    return ApiToken.objects.select_related("partner", "created_by").order_by("-created_at")
