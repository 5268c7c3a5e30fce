"""Benchmark data: data-sharing agreements (their parties, coverage, signatures and the parties' permissions on
them), then the data grants they imply, made by the service that keeps them."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Permission

from partners.models import DataSharingAgreement, DataSharingAgreementGroupObjectPermission, DsaSignature, Partner

from ..models import AgreementCoverage, Indicator
from ..services.sharing import dsa_sync_grants
from .shape import BATCH, Bench, visible_indicator_count

DSA = DataSharingAgreement
# In twentieths, in turn: 14 active, 2 awaiting signatures, 2 suspended, 1 ended, 1 draft.
A, W, S, E, D = (
    DSA.Status.ACTIVE,
    DSA.Status.AWAITING_SIGNATURES,
    DSA.Status.SUSPENDED,
    DSA.Status.ENDED,
    DSA.Status.DRAFT,
)
STATUSES = [A, A, W, A, A, S, A, A, E, A, A, W, A, A, S, A, A, D, A, A]
VIEW, MANAGE, SIGN = "view_datasharingagreement", "manage_datasharingagreement", "sign_datasharingagreement"


def agreements(bench: Bench) -> int:
    """The viewers' agreements first: active, with breakdowns, covering (three at a time) the visible tenth of the
    indicators. Then the others, three indicators of a provider each, for one to three other partners; the viewers
    are among the recipients of half of those that give nothing (not active)."""
    specs = []  # (provider, [indicators], [recipients], status)
    shared: dict[int, list[Indicator]] = {}
    for indicator in bench.indicators[: visible_indicator_count(len(bench.indicators))]:
        shared.setdefault(indicator.provider_id, []).append(indicator)
    for covered in shared.values():
        provider = covered[0].provider
        for start in range(0, len(covered), 3):
            recipients = [bench.viewers, *_others(bench, provider)]
            specs.append((provider, covered[start : start + 3], recipients, DSA.Status.ACTIVE))
    blocks: dict[int, list[Indicator]] = {}
    for indicator in bench.indicators:
        blocks.setdefault(indicator.provider_id, []).append(indicator)
    n = 0
    while len(specs) < bench.counts["agreements"]:
        provider = bench.providers[n % len(bench.providers)]
        block = blocks.get(provider.pk) or bench.indicators[:1]
        offset = (n // len(bench.providers)) * 3 % len(block)
        status = STATUSES[n % len(STATUSES)]
        recipients = _others(bench, provider)
        if status != DSA.Status.ACTIVE and (n // 3) % 2 == 0:
            recipients.append(bench.viewers)
        specs.append((provider, (block + block)[offset : offset + min(3, len(block))], recipients, status))
        n += 1
    return _write(bench, specs)


def _others(bench: Bench, provider: Partner) -> list[Partner]:
    choices = [p for p in bench.providers if p.pk != provider.pk]
    return bench.rng.sample(choices, k=min(len(choices), bench.rng.randint(1, 3)))


def _agreement(bench: Bench, n: int, provider: Partner, covered: list[Indicator], status: str) -> DSA:
    ended = status == DSA.Status.ENDED
    started = bench.now - timedelta(days=200)
    return DSA(
        reference=f"BENCH-{n + 1:05d}",
        title=f"Bench agreement {n + 1}: {', '.join(i.code for i in covered)}",
        provider=provider,
        purpose="Benchmark data: partners compare their figures.",
        lawful_basis=DSA.LawfulBasis.PUBLIC_TASK,
        level=DSA.Level.BREAKDOWNS if n % 2 == 0 or status == DSA.Status.ACTIVE else DSA.Level.AGGREGATE,
        retention="Deleted when the benchmark's database is dropped.",
        security_measures="A throwaway database on loopback.",
        contacts="Nobody: generated.",
        start_date=bench.today - timedelta(days=400 if ended else 200),
        end_date=bench.today - timedelta(days=30) if ended else bench.today + timedelta(days=500),
        review_date=bench.today + timedelta(days=100),
        status=status,
        status_reason="Generated" if status in (DSA.Status.SUSPENDED, DSA.Status.ENDED) else "",
        created_at=started - timedelta(days=30),
        sent_at=None if status == DSA.Status.DRAFT else started - timedelta(days=20),
        activated_at=started if status in (DSA.Status.ACTIVE, DSA.Status.SUSPENDED, DSA.Status.ENDED) else None,
        closed_at=bench.now - timedelta(days=30) if ended else None,
    )


def _write(bench: Bench, specs) -> int:
    made = DSA.objects.bulk_create(
        [_agreement(bench, n, provider, covered, status) for n, (provider, covered, _, status) in enumerate(specs)],
        batch_size=BATCH,
    )
    perm = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="partners", codename__in=[VIEW, MANAGE, SIGN])
    }
    through, coverage, signatures, perms = [], [], [], []
    for agreement, (provider, covered, recipients, status) in zip(made, specs):
        through += [DSA.recipients.through(datasharingagreement=agreement, partner=p) for p in recipients]
        coverage += [AgreementCoverage(agreement=agreement, indicator=i) for i in covered]
        parties = [provider, *recipients]
        signed = {DSA.Status.DRAFT: [], DSA.Status.AWAITING_SIGNATURES: parties[:1]}.get(status, parties)
        signatures += [
            DsaSignature(agreement=agreement, partner=p, signer_label="system (bench data)", signed_at=bench.now)
            for p in signed
        ]
        # The parties' permissions on the agreement itself, as partners.services.dsa_grants keeps them.
        wanted = {(p.group_id, VIEW) for p in parties} | {(provider.group_id, MANAGE)}
        if status == DSA.Status.AWAITING_SIGNATURES:
            wanted |= {(p.group_id, SIGN) for p in parties}
        perms += [
            DataSharingAgreementGroupObjectPermission(group_id=g, permission=perm[c], content_object=agreement)
            for g, c in sorted(wanted)
        ]
    DSA.recipients.through.objects.bulk_create(through, batch_size=BATCH)
    AgreementCoverage.objects.bulk_create(coverage, batch_size=BATCH)
    DsaSignature.objects.bulk_create(signatures, batch_size=BATCH)
    DataSharingAgreementGroupObjectPermission.objects.bulk_create(perms, batch_size=BATCH)
    return len(made)


def grants(bench: Bench) -> int:
    """The recipients' data grants, by the service that keeps them (as activating each agreement would)."""
    granted, _ = dsa_sync_grants(
        indicator_ids=[i.pk for i in bench.indicators],
        group_ids=[p.group_id for p in bench.partners],
        today=bench.today,
    )
    return granted
