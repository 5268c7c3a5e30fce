"""Demo data for the West Midlands board. Every step is idempotent; later apps add steps."""
from __future__ import annotations

import os
import secrets
from typing import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Area, Partner, Role
from partners.services import area_upsert, membership_add, partner_create

FORCE_AREA = ("E23000014", "West Midlands (police force area)")
LOCAL_AUTHORITIES = [
    ("E08000025", "Birmingham"), ("E08000026", "Coventry"), ("E08000027", "Dudley"),
    ("E08000028", "Sandwell"), ("E08000029", "Solihull"), ("E08000030", "Walsall"),
    ("E08000031", "Wolverhampton"),
]

# slug, name, short name, kind, area codes ("*" = the force area), about
PARTNERS = [
    ("west-midlands-police", "West Midlands Police", "WMP", Partner.Kind.POLICE, ["*"],
     "The police force for the seven metropolitan boroughs of the West Midlands."),
    ("cps-west-midlands", "Crown Prosecution Service West Midlands", "CPS", Partner.Kind.PROSECUTION, ["*"],
     "Decides charges and prosecutes criminal cases investigated by the police."),
    ("hmcts-west-midlands", "HM Courts and Tribunals Service West Midlands", "HMCTS", Partner.Kind.COURTS, ["*"],
     "Runs the magistrates' and Crown courts in the region."),
    ("probation-west-midlands", "Probation Service West Midlands", "Probation", Partner.Kind.PROBATION, ["*"],
     "Supervises people on community sentences and after release from prison."),
    ("hmpps-west-midlands-prisons", "HM Prison and Probation Service West Midlands prisons", "HMPPS prisons",
     Partner.Kind.PRISONS, ["*"], "The prisons serving the West Midlands."),
    ("bsol-icb", "NHS Birmingham and Solihull Integrated Care Board", "BSol ICB", Partner.Kind.HEALTH,
     ["E08000025", "E08000029"], "Commissions health services, including offender health and secure facilities."),
    ("black-country-icb", "NHS Black Country Integrated Care Board", "Black Country ICB", Partner.Kind.HEALTH,
     ["E08000027", "E08000028", "E08000030", "E08000031"], "Commissions health services across the Black Country."),
    ("victim-support-west-midlands", "Victim Support West Midlands", "Victim Support", Partner.Kind.VICTIM_SERVICES,
     ["*"], "Supports victims and witnesses of crime."),
    ("west-midlands-vrp", "West Midlands Violence Reduction Partnership", "VRP", Partner.Kind.VIOLENCE_REDUCTION,
     ["*"], "Brings partners together to prevent serious violence."),
    ("opcc", "Office of the West Midlands Police and Crime Commissioner", "OPCC", Partner.Kind.PCC_OFFICE, ["*"],
     "Supports the Police and Crime Commissioner: call-ins, senior appointments and devolved funds."),
]
for code, name in LOCAL_AUTHORITIES:
    slug = name.lower()
    council = "City of Wolverhampton Council" if name == "Wolverhampton" else (
        f"{name} City Council" if name in ("Birmingham", "Coventry") else f"{name} Metropolitan Borough Council")
    PARTNERS.append((f"{slug}-council", council, name, Partner.Kind.LOCAL_AUTHORITY, [code],
                     f"The local authority for {name}."))
    PARTNERS.append((f"{slug}-yjs", f"{name} Youth Justice Service", f"{name} YJS", Partner.Kind.YOUTH_JUSTICE, [code],
                     f"Works with children aged 10 to 17 in {name} who are in, or at risk of entering, the justice system."))

# username, first name, last name, partner slug, role, job title
PEOPLE = [
    ("pcc", "Simon", "Foster", "opcc", Role.PCC, "Police and Crime Commissioner"),
    ("pcc.officer", "Priya", "Shah", "opcc", Role.PCC_OFFICER, "Criminal justice policy lead"),
    ("board.chair", "Helen", "Ward", "opcc", Role.BOARD_MEMBER, "Chair, Local Criminal Justice Board"),
    ("police.officer", "Daniel", "Okafor", "west-midlands-police", Role.OFFICER, "Performance analyst"),
    ("police.signatory", "Claire", "Bennett", "west-midlands-police", Role.SIGNATORY, "Assistant Chief Constable"),
    ("probation.officer", "Marcus", "Reid", "probation-west-midlands", Role.OFFICER, "Head of performance"),
    ("probation.signatory", "Ruth", "Adeyemi", "probation-west-midlands", Role.SIGNATORY, "Regional Probation Director"),
    ("cps.officer", "Tom", "Hughes", "cps-west-midlands", Role.OFFICER, "Business manager"),
    ("cps.signatory", "Anita", "Kaur", "cps-west-midlands", Role.SIGNATORY, "Chief Crown Prosecutor"),
    ("courts.officer", "Gareth", "Lewis", "hmcts-west-midlands", Role.OFFICER, "Cluster manager"),
    ("yjs.birmingham.officer", "Sophie", "Clarke", "birmingham-yjs", Role.OFFICER, "YJS information officer"),
    ("yjs.coventry.officer", "Imran", "Hussain", "coventry-yjs", Role.OFFICER, "YJS performance officer"),
    ("health.officer", "Laura", "Price", "bsol-icb", Role.OFFICER, "Health and justice commissioner"),
    ("victims.officer", "Grace", "Mensah", "victim-support-west-midlands", Role.OFFICER, "Service manager"),
    ("vrp.officer", "Ben", "Taylor", "west-midlands-vrp", Role.OFFICER, "Data and insight lead"),
]
ADMIN_USERNAME = "admin"

SEED_STEPS: list[Callable[[], None]] = []


def seed_step(func: Callable[[], None]) -> Callable[[], None]:
    """Register an idempotent demo step (later apps add theirs in their demo modules)."""
    SEED_STEPS.append(func)
    return func


def demo_password() -> str:
    """DEMO_PASSWORD, else a password generated once for this checkout (kept in var/)."""
    env = os.environ.get("DEMO_PASSWORD")
    if env:
        return env
    path = settings.VAR_DIR / "demo-password"
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
    return path.read_text().strip()


def _user(username: str, first: str = "", last: str = "", superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last,
                    email=f"{username}@cjpartnership.example", is_staff=superuser, is_superuser=superuser)
        user.set_password(demo_password())
        user.save()
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return user


@seed_step
@transaction.atomic
def seed_partners_and_people() -> None:
    force = area_upsert(code=FORCE_AREA[0], name=FORCE_AREA[1], kind=Area.Kind.FORCE_AREA)
    areas = {force.code: force}
    for code, name in LOCAL_AUTHORITIES:
        areas[code] = area_upsert(code=code, name=name, kind=Area.Kind.LOCAL_AUTHORITY)
    for slug, name, short, kind, codes, about in PARTNERS:
        if Partner.objects.filter(slug=slug).exists():
            continue
        partner_areas = [areas[FORCE_AREA[0]] if c == "*" else areas[c] for c in codes]
        partner_create(name=name, short_name=short, slug=slug, kind=kind, about=about, areas=partner_areas)
    for username, first, last, slug, role, title in PEOPLE:
        user = _user(username, first, last)
        membership_add(user=user, partner=Partner.objects.get(slug=slug), role=role, job_title=title)
    _user(ADMIN_USERNAME, "Portal", "Administrator", superuser=True)


def seed_all() -> None:
    import importlib

    for app in ("targets", "partners", "callins", "funding"):
        try:
            importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
    for step in SEED_STEPS:
        step()


def demo_accounts() -> list[dict]:
    """Each demo account with its role and authenticator secret (for the newcomer's first sign-in)."""
    import base64

    User = get_user_model()
    rows = []
    for username, first, last, slug, role, title in PEOPLE + [(ADMIN_USERNAME, "", "", "", None, "Superuser")]:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        secret = base64.b32encode(device.bin_key).decode().rstrip("=") if device else ""
        rows.append({"username": username, "role": Role(role).label if role else "Superuser",
                     "partner": slug, "totp_secret": secret})
    return rows
