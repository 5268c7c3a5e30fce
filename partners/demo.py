"""Demo partners, areas and people for the West Midlands board (seed step 10). Idempotent."""

from __future__ import annotations

from django.db import transaction

from portal.seeding import SEED, demo_user, seed_step

from .models import Area, Partner, Role
from .services import area_upsert, membership_add, partner_create

FORCE_AREA = ("E23000014", "West Midlands (police force area)")
LOCAL_AUTHORITIES = [
    ("E08000025", "Birmingham"),
    ("E08000026", "Coventry"),
    ("E08000027", "Dudley"),
    ("E08000028", "Sandwell"),
    ("E08000029", "Solihull"),
    ("E08000030", "Walsall"),
    ("E08000031", "Wolverhampton"),
]

# slug, name, short name, kind, area codes ("*" = the force area), about
PARTNERS = [
    (
        "west-midlands-police",
        "West Midlands Police",
        "WMP",
        Partner.Kind.POLICE,
        ["*"],
        "The police force for the seven metropolitan boroughs of the West Midlands.",
    ),
    (
        "cps-west-midlands",
        "Crown Prosecution Service West Midlands",
        "CPS",
        Partner.Kind.PROSECUTION,
        ["*"],
        "Decides charges and prosecutes criminal cases investigated by the police.",
    ),
    (
        "hmcts-west-midlands",
        "HM Courts and Tribunals Service West Midlands",
        "HMCTS",
        Partner.Kind.COURTS,
        ["*"],
        "Runs the magistrates' and Crown courts in the region.",
    ),
    (
        "probation-west-midlands",
        "Probation Service West Midlands",
        "Probation",
        Partner.Kind.PROBATION,
        ["*"],
        "Supervises people on community sentences and after release from prison.",
    ),
    (
        "hmpps-west-midlands-prisons",
        "HM Prison and Probation Service West Midlands prisons",
        "HMPPS prisons",
        Partner.Kind.PRISONS,
        ["*"],
        "The prisons serving the West Midlands.",
    ),
    (
        "bsol-icb",
        "NHS Birmingham and Solihull Integrated Care Board",
        "BSol ICB",
        Partner.Kind.HEALTH,
        ["E08000025", "E08000029"],
        "Commissions health services, including offender health and secure facilities.",
    ),
    (
        "black-country-icb",
        "NHS Black Country Integrated Care Board",
        "Black Country ICB",
        Partner.Kind.HEALTH,
        ["E08000027", "E08000028", "E08000030", "E08000031"],
        "Commissions health services across the Black Country.",
    ),
    (
        "victim-support-west-midlands",
        "Victim Support West Midlands",
        "Victim Support",
        Partner.Kind.VICTIM_SERVICES,
        ["*"],
        "Supports victims and witnesses of crime.",
    ),
    (
        "west-midlands-vrp",
        "West Midlands Violence Reduction Partnership",
        "VRP",
        Partner.Kind.VIOLENCE_REDUCTION,
        ["*"],
        "Brings partners together to prevent serious violence.",
    ),
    (
        "opcc",
        "Office of the West Midlands Police and Crime Commissioner",
        "OPCC",
        Partner.Kind.PCC_OFFICE,
        ["*"],
        "Supports the Police and Crime Commissioner: call-ins, senior appointments and devolved funds.",
    ),
]
for code, name in LOCAL_AUTHORITIES:
    slug = name.lower()
    council = (
        "City of Wolverhampton Council"
        if name == "Wolverhampton"
        else (f"{name} City Council" if name in ("Birmingham", "Coventry") else f"{name} Metropolitan Borough Council")
    )
    PARTNERS.append(
        (f"{slug}-council", council, name, Partner.Kind.LOCAL_AUTHORITY, [code], f"The local authority for {name}.")
    )
    PARTNERS.append(
        (
            f"{slug}-yjs",
            f"{name} Youth Justice Service",
            f"{name} YJS",
            Partner.Kind.YOUTH_JUSTICE,
            [code],
            f"Works with children aged 10 to 17 in {name} who are in, or at risk of entering, the justice system.",
        )
    )

# username, first name, last name, partner slug, role, job title
PEOPLE = [
    ("pcc", "Simon", "Foster", "opcc", Role.PCC, "Police and Crime Commissioner"),
    ("pcc.officer", "Priya", "Shah", "opcc", Role.PCC_OFFICER, "Criminal justice policy lead"),
    ("board.chair", "Helen", "Ward", "opcc", Role.BOARD_MEMBER, "Chair, Local Criminal Justice Board"),
    ("police.officer", "Daniel", "Okafor", "west-midlands-police", Role.OFFICER, "Performance analyst"),
    ("police.signatory", "Claire", "Bennett", "west-midlands-police", Role.SIGNATORY, "Assistant Chief Constable"),
    ("probation.officer", "Marcus", "Reid", "probation-west-midlands", Role.OFFICER, "Head of performance"),
    (
        "probation.signatory",
        "Ruth",
        "Adeyemi",
        "probation-west-midlands",
        Role.SIGNATORY,
        "Regional Probation Director",
    ),
    ("cps.officer", "Tom", "Hughes", "cps-west-midlands", Role.OFFICER, "Business manager"),
    ("cps.signatory", "Anita", "Kaur", "cps-west-midlands", Role.SIGNATORY, "Chief Crown Prosecutor"),
    ("courts.officer", "Gareth", "Lewis", "hmcts-west-midlands", Role.OFFICER, "Cluster manager"),
    ("courts.signatory", "Rachel", "Moore", "hmcts-west-midlands", Role.SIGNATORY, "Delivery director"),
    ("yjs.birmingham.officer", "Sophie", "Clarke", "birmingham-yjs", Role.OFFICER, "YJS information officer"),
    ("yjs.coventry.officer", "Imran", "Hussain", "coventry-yjs", Role.OFFICER, "YJS performance officer"),
    ("yjs.birmingham.signatory", "Joanne", "Okoro", "birmingham-yjs", Role.SIGNATORY, "Head of Youth Justice"),
    ("health.officer", "Laura", "Price", "bsol-icb", Role.OFFICER, "Health and justice commissioner"),
    ("victims.officer", "Grace", "Mensah", "victim-support-west-midlands", Role.OFFICER, "Service manager"),
    ("victims.signatory", "David", "Evans", "victim-support-west-midlands", Role.SIGNATORY, "Regional director"),
    ("vrp.officer", "Ben", "Taylor", "west-midlands-vrp", Role.OFFICER, "Data and insight lead"),
    ("vrp.signatory", "Amira", "Hassan", "west-midlands-vrp", Role.SIGNATORY, "Director"),
    ("council.birmingham.officer", "Owen", "Carter", "birmingham-council", Role.OFFICER, "Community safety manager"),
    (
        "council.birmingham.signatory",
        "Fatima",
        "Begum",
        "birmingham-council",
        Role.SIGNATORY,
        "Director of community safety",
    ),
]
ADMIN_USERNAME = "admin"


@seed_step(order=10)
@transaction.atomic
def seed_partners_and_people() -> None:
    force = area_upsert(code=FORCE_AREA[0], name=FORCE_AREA[1], kind=Area.Kind.FORCE_AREA, by=SEED)
    areas = {force.code: force}
    for code, name in LOCAL_AUTHORITIES:
        areas[code] = area_upsert(code=code, name=name, kind=Area.Kind.LOCAL_AUTHORITY, by=SEED)
    for slug, name, short, kind, codes, about in PARTNERS:
        if Partner.objects.filter(slug=slug).exists():
            continue
        partner_areas = [areas[FORCE_AREA[0]] if c == "*" else areas[c] for c in codes]
        partner_create(name=name, short_name=short, slug=slug, kind=kind, about=about, areas=partner_areas, by=SEED)
    for username, first, last, slug, role, title in PEOPLE:
        user = demo_user(username, first, last)
        membership_add(user=user, partner=Partner.objects.get(slug=slug), role=role, job_title=title, by=SEED)
    demo_user(ADMIN_USERNAME, "Portal", "Administrator", superuser=True)
