"""The grants awarded, as 360Giving open data (the 360Giving Data Standard 1.4): a JSON data package, and the same
grants as one CSV table in the standard's column titles (its spreadsheet template's grants sheet).

Only published awards (funding.public), each grant made once, as a dict in the standard's JSON shape; the CSV
is that dict flattened by COLUMNS, so the two can never say different things. Money stays exact: a JSON number
whose digits are the pounds and pence (never a float's rounding), the CSV its decimal text.

A grant's identifier is the publisher's prefix (settings.THREESIXTY_PREFIX) and the award's number, so it stays
the same from one download to the next. A grant serving several areas has the first in the template's
"Beneficiary Location:…" columns and the others in numbered ones ("Beneficiary Location:1:Name"), as
360Giving's converter (flatten-tool) reads them.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.mail import absolute_url

from . import public

VERSION = "1.4"
CURRENCY = "GBP"
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ONS_CODE = re.compile(r"^[ENSW]\d{8}$")
# 360Giving's geographic code types (its geoCodeType codelist), by the ONS entity an area's code starts with.
GEO_CODE_TYPES = {
    "E06": "UA",  # unitary authorities
    "E07": "NMD",  # non-metropolitan districts
    "E08": "MD",  # metropolitan districts
    "E09": "LONB",  # London boroughs
    "E10": "CTY",  # counties
    "E22": "CSP",  # community safety partnerships
    "E23": "PFA",  # police force areas
    "W06": "UA",
    "W14": "CDRP",
    "S12": "CA",  # Scottish council areas
}


def prefix() -> str:
    return getattr(settings, "THREESIXTY_PREFIX", "360G-cjpportal")


def funder() -> dict:
    """The funding organisation: the Office of the PCC, by its org-id."""
    return {
        "id": getattr(settings, "THREESIXTY_FUNDER_ID", "GB-GOR-PC000123"),
        "name": getattr(settings, "THREESIXTY_FUNDER_NAME", "Office of the Police and Crime Commissioner"),
    }


def grant_id(grant: public.PublicGrant) -> str:
    return f"{prefix()}-award-{grant.pk}"


def json_number(amount: Decimal) -> int | float:
    """Pounds and pence as a JSON number that reads back exactly: whole pounds as an integer, otherwise the float
    whose shortest form (what JSON writes) has the same digits. A Decimal(12, 2) has at most 12 significant
    digits and a float keeps 15, so this never rounds; the check says so rather than trusts it."""
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:
        raise ValueError(f"{amount} cannot be written exactly as a JSON number")
    return number


def _location(area: public.PublicArea) -> dict:
    found = {"name": area.name}
    if ONS_CODE.match(area.code):
        found["countryCode"] = "GB"
        found["geoCode"] = area.code
        if area.code[:3] in GEO_CODE_TYPES:
            found["geoCodeType"] = GEO_CODE_TYPES[area.code[:3]]
    return found


def _recipient(grant: public.PublicGrant) -> dict:
    found = {"id": grant.recipient_org_id, "name": grant.recipient_name}
    if grant.recipient_charity_number:
        found["charityNumber"] = grant.recipient_charity_number
    if grant.recipient_company_number:
        found["companyNumber"] = grant.recipient_company_number
    return found


def grant_record(grant: public.PublicGrant) -> dict:
    """One grant in the standard's JSON shape (its amount still a Decimal: json_ready makes it a number)."""
    record = {
        "id": grant_id(grant),
        "title": grant.project_title,
        "description": grant.description,
        "currency": CURRENCY,
        "amountAwarded": grant.amount,
        "awardDate": grant.awarded_on.isoformat(),
        "url": absolute_url(grant.decision_url),
        "recipientOrganization": [_recipient(grant)],
        "fundingOrganization": [funder()],
        "grantProgramme": [
            {"code": f"{prefix()}-round-{grant.round_pk}", "title": f"{grant.fund_label}: {grant.round_title}"}
        ],
        "dateModified": grant.decided_at.isoformat(),
        "dataSource": absolute_url(reverse("grants:index")),
    }
    if grant.areas:
        record["beneficiaryLocation"] = [_location(area) for area in grant.areas]
    return record


def json_ready(record: dict) -> dict:
    return {**record, "amountAwarded": json_number(record["amountAwarded"])}


def package(*, now: datetime | None = None) -> dict:
    """The 360Giving data package of every published grant, the latest first. With none yet, its list of
    grants is empty (the standard's schema wants one or more: there is nothing to publish)."""
    now = now or timezone.now()
    return {
        "grants": [json_ready(grant_record(g)) for g in public.grants_published()],
        "version": VERSION,
        "title": f"Grants awarded by the {funder()['name']}",
        "description": "Grants awarded from the devolved funds through the Police and Crime Commissioner's signed "
        "decisions, as published on the public register. A grant cancelled later, or made through a "
        "confidential decision, is left out.",
        "identifier": f"{prefix()}-grants",
        "issued": now.isoformat(),
        "publisher": {"identifier": funder()["id"], "name": funder()["name"], "website": absolute_url("/")},
        "accessURL": absolute_url(reverse("grants:index")),
        "downloadURL": absolute_url(reverse("grants:json")),
        "license": LICENSE,
    }


# The CSV's columns: the 360Giving template's titles, and where each value is in a grant's record.
COLUMNS: list[tuple[str, tuple]] = [
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("URL", ("url",)),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Org:Charity Number", ("recipientOrganization", 0, "charityNumber")),
    ("Recipient Org:Company Number", ("recipientOrganization", 0, "companyNumber")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Last modified", ("dateModified",)),
    ("Data Source", ("dataSource",)),
]
LOCATION_COLUMNS = [
    ("Name", "name"),
    ("Country Code", "countryCode"),
    ("Geographic Code", "geoCode"),
    ("Geographic Code Type", "geoCodeType"),
]


def _location_columns(count: int) -> list[tuple[str, tuple]]:
    """The first location in the template's columns, any others numbered from 1."""
    columns = []
    for index in range(max(count, 1)):
        numbered = f"{index}:" if index else ""
        columns += [
            (f"Beneficiary Location:{numbered}{title}", ("beneficiaryLocation", index, key))
            for title, key in LOCATION_COLUMNS
        ]
    return columns


def _value(record: dict, path: tuple):
    for step in path:
        try:
            record = record[step]
        except (KeyError, IndexError):
            return ""
    return str(record) if isinstance(record, Decimal) else record


def csv_table() -> tuple[list[str], list[list]]:
    """The CSV's header and rows: one row a grant, the latest first."""
    records = [grant_record(g) for g in public.grants_published()]
    most = max((len(r.get("beneficiaryLocation", ())) for r in records), default=1)
    # The locations go after the recipient (as in the template), before the funder.
    split = [title for title, _ in COLUMNS].index("Funding Org:Identifier")
    columns = COLUMNS[:split] + _location_columns(most) + COLUMNS[split:]
    return [title for title, _ in columns], [[_value(r, path) for _, path in columns] for r in records]
