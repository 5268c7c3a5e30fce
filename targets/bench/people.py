"""Benchmark data: areas, partners (with their Groups, grants and remits) and people (with their memberships)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Area, Membership, Partner, PartnerGroupObjectPermission, Role

from ..models import PartnerRemit
from .shape import (
    BATCH,
    BENCH_PASSWORD,
    FORCE_AREA,
    LOCAL_AUTHORITIES,
    PCC_USERNAME,
    VIEWER_PARTNER_SLUG,
    VIEWER_USERNAMES,
    Bench,
)

PROVIDER_KINDS = [
    Partner.Kind.POLICE,
    Partner.Kind.PROSECUTION,
    Partner.Kind.COURTS,
    Partner.Kind.PROBATION,
    Partner.Kind.PRISONS,
    Partner.Kind.YOUTH_JUSTICE,
    Partner.Kind.LOCAL_AUTHORITY,
    Partner.Kind.HEALTH,
    Partner.Kind.VIOLENCE_REDUCTION,
    Partner.Kind.OTHER,
]
ROLES = [Role.OFFICER, Role.OFFICER, Role.OFFICER, Role.SIGNATORY, Role.BOARD_MEMBER, Role.OFFICER]


def areas_and_partners(bench: Bench) -> int:
    """The force area and its local authorities; the PCC office, the viewers' partner and the providers, each
    with its Group, which may act for it (as partner_create gives), serving every area, with two remits."""
    force = Area.objects.create(code=FORCE_AREA[0], name=FORCE_AREA[1], kind=Area.Kind.FORCE_AREA)
    bench.areas = Area.objects.bulk_create(
        [Area(code=code, name=name, kind=Area.Kind.LOCAL_AUTHORITY) for code, name in LOCAL_AUTHORITIES]
    )
    specs = [("bench-pcc-office", "Office of the Bench PCC", Partner.Kind.PCC_OFFICE)]
    specs.append((VIEWER_PARTNER_SLUG, "Bench Victim Services", Partner.Kind.VICTIM_SERVICES))
    for n in range(bench.counts["partners"] - 2):
        kind = PROVIDER_KINDS[n % len(PROVIDER_KINDS)]
        specs.append((f"bench-partner-{n + 1:03d}", f"Bench {kind.label} {n + 1:03d}", kind))
    groups = Group.objects.bulk_create([Group(name=f"Partner: {slug}") for slug, _, _ in specs])
    bench.partners = Partner.objects.bulk_create(
        [
            Partner(name=name, short_name=name.removeprefix("Bench "), slug=slug, kind=kind, group=group)
            for (slug, name, kind), group in zip(specs, groups)
        ]
    )
    Partner.areas.through.objects.bulk_create(
        [Partner.areas.through(partner=p, area=a) for p in bench.partners for a in [force, *bench.areas]]
    )
    act = Permission.objects.get(content_type__app_label="partners", codename="act_for_partner")
    PartnerGroupObjectPermission.objects.bulk_create(
        [PartnerGroupObjectPermission(group_id=p.group_id, permission=act, content_object=p) for p in bench.partners]
    )
    PartnerRemit.objects.bulk_create(
        [
            PartnerRemit(partner=p, title=f"Remit {n}", description=f"What {p.short_name} does ({n}).", order=n)
            for p in bench.partners
            for n in (1, 2)
        ]
    )
    return len(bench.partners)


def people(bench: Bench) -> int:
    """The viewers (officers of the viewers' partner), a PCC officer, and everyone else spread over the
    partners; an authenticator for each of the first two kinds (scripts/bench/run.py signs them in)."""
    User = get_user_model()
    password = make_password(BENCH_PASSWORD)  # (one hash for everyone: hashing 5,000 would take minutes)
    names = [*VIEWER_USERNAMES, PCC_USERNAME]
    names += [f"bench-user-{n:05d}" for n in range(1, bench.counts["users"] - len(names) + 1)]
    users = User.objects.bulk_create(
        [
            User(
                username=name,
                password=password,
                email=f"{name}@bench.example",
                first_name="Bench",
                last_name=name.rsplit("-", 1)[-1].title(),
            )
            for name in names
        ],
        batch_size=BATCH,
    )
    since = bench.today - timedelta(days=365)
    members = []
    for n, user in enumerate(users):
        if user.username in VIEWER_USERNAMES:
            partner, role = bench.viewers, Role.OFFICER
        elif user.username == PCC_USERNAME:
            partner, role = bench.pcc_office, Role.PCC_OFFICER
        else:
            partner = bench.partners[n % len(bench.partners)]
            role = Role.PCC_OFFICER if partner.is_pcc_office else ROLES[n % len(ROLES)]
        members.append(Membership(user=user, partner=partner, role=role, job_title="Analyst", active_from=since))
    Membership.objects.bulk_create(members, batch_size=BATCH)
    TOTPDevice.objects.bulk_create(
        [
            TOTPDevice(user=u, name="Bench authenticator", confirmed=True, key=secrets.token_hex(20))
            for u in users[: len(VIEWER_USERNAMES) + 1]
        ]
    )
    return len(users)
