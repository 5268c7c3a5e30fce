"""The 360Giving open data: the JSON data package validates against the 360Giving Data Standard's own schemas
(package and grant, 1.4, read from disk: the package's $ref to the grant schema resolves locally, never over the
network), and so does each CSV row read back into a grant by the standard's column titles, saying what the JSON
says. Only published awards (a cancelled one, one made through a confidential decision, never); pence exact;
an award serving no area has no beneficiary location; identifiers carry the publisher's prefix and stay the same.

The schemas are looked for in $THREESIXTY_SCHEMA_DIR, then ../shared/data/360giving beside the repository, then
/work/shared/data/360giving; without them these tests fail (never skip): the data cannot be said to be valid.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from callins.models import PccDecision
from funding import services, threesixty
from funding.limits import MONEY_MAX
from partners.models import Area
from tests.factories import just_now

from .conftest import AWARD_DAY, TODAY, award

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE_SCHEMA = "360-giving-package-schema.json"
GRANT_SCHEMA = "360-giving-schema.json"
NOW = datetime(2027, 2, 3, 9, 30, tzinfo=UTC)
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
# The columns a grant cannot do without (the standard's required fields, by their titles).
REQUIRED_COLUMNS = {
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
}


# --- The official schemas, and validating against them ------------------------------------------------------
def schema_candidates() -> list[Path]:
    given = os.environ.get("THREESIXTY_SCHEMA_DIR")
    return [
        *([Path(given)] if given else []),
        REPOSITORY.parent / "shared" / "data" / "360giving",
        Path("/work/shared/data/360giving"),
    ]


def schema_dir(candidates: list[Path] | None = None) -> Path:
    """The first folder holding both schemas; the test fails (never skips) without one."""
    candidates = schema_candidates() if candidates is None else candidates
    for folder in candidates:
        if (folder / PACKAGE_SCHEMA).is_file() and (folder / GRANT_SCHEMA).is_file():
            return folder
    pytest.fail(
        f"The 360Giving Data Standard's schemas ({PACKAGE_SCHEMA} and {GRANT_SCHEMA}) are in none of: "
        f"{', '.join(str(c) for c in candidates)}. Set THREESIXTY_SCHEMA_DIR to the folder holding them.",
        pytrace=False,
    )


@functools.cache
def schemas() -> tuple[dict, dict]:
    folder = schema_dir()
    return tuple(json.loads((folder / name).read_text(encoding="utf-8")) for name in (PACKAGE_SCHEMA, GRANT_SCHEMA))


def format_checker() -> FormatChecker:
    """Formats checked for real: without a checker for date-time, a date would pass both branches of the
    standard's oneOf (date-time or YYYY-MM-DD) and fail it."""
    checker = FormatChecker()

    @checker.checks("date-time")
    def is_date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    @checker.checks("uri")
    def is_uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc)

    return checker


def package_validator() -> Draft202012Validator:
    """The package schema, its $ref to the grant schema resolved from disk: the grant schema is registered under
    its own $id and under the address the package schema names it by (1.4.2 there, 1.4.3 in the file)."""
    package, grant = schemas()
    resource = DRAFT202012.create_resource(grant)
    named = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(grant["$id"], resource), (named, resource)])
    return Draft202012Validator(package, registry=registry, format_checker=format_checker())


def package_errors(package: dict) -> list[str]:
    """What is wrong with a data package against the standard's schemas (empty when it is valid)."""
    errors = []
    for error in package_validator().iter_errors(package):
        where = "/".join(map(str, error.absolute_path)) or "(the package)"
        errors.append(f"{where}: {error.message}")
        errors += [f"  {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in error.context or ()]
    return errors


def _normal(title: str) -> str:
    return title.replace(" ", "").lower()  # as 360Giving's converter (flatten-tool) matches titles


def _resolved(node: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return {**schemas()[1]["$defs"][ref.removeprefix("#/$defs/")], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _titled(node: dict) -> dict[str, tuple[str, dict]]:
    """An object schema's properties by their titles: normalised title -> (name, schema)."""
    found = {}
    for name, prop in node.get("properties", {}).items():
        prop = _resolved(prop)
        if prop.get("title"):
            found[_normal(prop["title"])] = (name, prop)
    return found


def _typed(prop: dict, cell: str):
    kinds = prop.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return Decimal(cell) if "number" in kinds else int(cell) if "integer" in kinds else cell


def csv_grants(content: bytes) -> tuple[list[str], list[dict]]:
    """The CSV's header and its rows read back into grants by the grant schema's titles, as flatten-tool reads
    them: "Recipient Org:Name" is the first recipient's name, "Beneficiary Location:1:Name" the second location's.
    A column the schema has no title for fails the test. Numbers are Decimals (exact)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    grant_schema = schemas()[1]
    top = _titled(grant_schema)
    grants = []
    for row in body:
        assert len(row) == len(header), row
        grant, lists = {}, {}
        for heading, cell in zip(header, row, strict=True):
            parts = heading.split(":")
            assert _normal(parts[0]) in top, f"{heading!r} is not a 360Giving column title"
            name, prop = top[_normal(parts[0])]
            if cell == "":
                continue
            if len(parts) == 1:
                grant[name] = _typed(prop, cell)
                continue
            assert len(parts) in (2, 3) and prop.get("type") == "array", heading
            children = _titled(_resolved(prop["items"]))
            assert _normal(parts[-1]) in children, f"{heading!r} is not a 360Giving column title"
            child, child_prop = children[_normal(parts[-1])]
            index = int(parts[1]) if len(parts) == 3 else -1  # unnumbered comes first, as in flatten-tool
            lists.setdefault(name, {}).setdefault(index, {})[child] = _typed(child_prop, cell)
        grant.update({name: [items[i] for i in sorted(items)] for name, items in lists.items()})
        grants.append(grant)
    return header, grants


def json_package(content: bytes | str) -> dict:
    """A downloaded package as JSON, its numbers read as Decimals (so that pence are compared exactly)."""
    return json.loads(content, parse_float=Decimal)


def assert_valid_360giving(json_content: bytes | str, csv_content: bytes) -> dict:
    """The JSON package and the CSV both valid 360Giving data, saying the same about the same grants."""
    package = json_package(json_content)
    assert not package_errors(package), "\n".join(package_errors(package))
    header, grants = csv_grants(csv_content)
    assert REQUIRED_COLUMNS <= set(header), REQUIRED_COLUMNS - set(header)
    assert not package_errors({"grants": grants}), "\n".join(package_errors({"grants": grants}))
    assert grants == package["grants"]
    return package


# --- The world: grants awarded, one cancelled, one through a confidential decision --------------------------
def granted(round_, organisation, by, *, amount: str, title: str, areas=()):
    """A submitted application for `amount` (one budget line), serving `areas`."""
    application = services.application_draft(
        round_=round_,
        organisation=organisation,
        by=by,
        project_title=title,
        summary="Support for survivors referred by the police.",
        amount_asked=amount,
        budget_lines=[("Advisers' time", amount)],
        areas=areas,
        today=TODAY,
    )
    return services.application_submit(application=application, by=by, meets_eligibility=True, today=TODAY)


def awarded(application, pcc):
    """Awarded in full, paid in one instalment."""
    amount = application.amount_asked
    return award(application, pcc, amount=amount, schedule=[(date(2027, 2, 15), amount)])


@pytest.fixture
def areas(db) -> list[Area]:
    return [
        Area.objects.create(code="E08000025", name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY),
        Area.objects.create(code="E08000026", name="Coventry", kind=Area.Kind.LOCAL_AUTHORITY),
        Area.objects.create(code="E23000014", name="West Midlands", kind=Area.Kind.FORCE_AREA),
    ]


@pytest.fixture
def grants(round_, organisation, victims_officer, pcc, pcc_officer, areas):
    """Four awards: pence (no areas), whole pounds (three areas), one cancelled, one through a confidential
    decision."""
    made = {
        "pence": granted(round_, organisation, victims_officer, amount="1234.56", title="Helpline evenings"),
        "areas": granted(round_, organisation, victims_officer, amount="40000.00", title="ISVA service", areas=areas),
        "cancelled": granted(round_, organisation, victims_officer, amount="5000.00", title="Cancelled work"),
        "confidential": granted(round_, organisation, victims_officer, amount="6000.00", title="Safe house"),
    }
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    awards = {key: awarded(application, pcc) for key, application in made.items()}
    services.award_cancel(award=awards["cancelled"], by=pcc, reasons="The provider closed.", confirmed_at=just_now())
    # NOTE: no service marks an award's decision confidential yet; the register treats any such decision so.
    PccDecision.objects.filter(pk=awards["confidential"].pcc_decision_id).update(confidential=True)
    for made_award in awards.values():
        made_award.refresh_from_db()
    return awards


def _by_title(package: dict) -> dict[str, dict]:
    return {g["title"]: g for g in package["grants"]}


# --- The JSON data package ---------------------------------------------------------------------------------
def test_the_package_is_valid_360giving_data(grants):
    package = threesixty.package(now=NOW)
    assert not package_errors(package), "\n".join(package_errors(package))
    assert package["version"] == "1.4"
    assert package["license"] == threesixty.LICENSE
    assert package["publisher"]["name"] == "Office of the Police and Crime Commissioner"
    assert package["issued"] == "2027-02-03T09:30:00+00:00"


def test_it_publishes_only_published_awards(grants):
    package = threesixty.package(now=NOW)
    assert set(_by_title(package)) == {"ISVA service", "Helpline evenings"}
    assert not grants["cancelled"].published and not grants["confidential"].published


def test_each_grant_says_who_gave_what_to_whom_and_when(grants, settings):
    settings.THREESIXTY_FUNDER_ID = "GB-GOR-PC000999"
    grant = _by_title(threesixty.package(now=NOW))["ISVA service"]
    decision = grants["areas"].pcc_decision
    assert grant["currency"] == "GBP"
    assert grant["awardDate"] == AWARD_DAY.isoformat()
    assert grant["description"] == decision.summary
    assert grant["recipientOrganization"] == [
        {"id": "GB-CHC-1234567", "name": "Victim Support West Midlands", "charityNumber": "1234567"}
    ]
    assert grant["fundingOrganization"] == [
        {"id": "GB-GOR-PC000999", "name": "Office of the Police and Crime Commissioner"}
    ]
    assert grant["url"].endswith(f"/register/decisions/{decision.year}/{decision.number}/")
    assert grant["grantProgramme"][0]["title"] == (
        "Rape victim support 2026-27: Independent sexual violence advisers 2026-27"
    )


def test_pence_are_exact_in_the_json(grants):
    text = json.dumps(threesixty.package(now=NOW))
    assert '"amountAwarded": 1234.56' in text and '"amountAwarded": 40000' in text
    amounts = {g["title"]: g["amountAwarded"] for g in json_package(text)["grants"]}
    assert amounts == {"Helpline evenings": Decimal("1234.56"), "ISVA service": Decimal("40000")}


@pytest.mark.parametrize("amount", ["0.01", "0.10", "1234.56", "1234.50", "99999.99", "40000.00", str(MONEY_MAX)])
def test_every_amount_a_fund_can_hold_reads_back_exactly(amount):
    number = threesixty.json_number(Decimal(amount))
    assert json.loads(json.dumps(number), parse_float=Decimal) == Decimal(amount)


def test_the_areas_served_are_the_beneficiary_locations_and_none_is_none(grants):
    by_title = _by_title(threesixty.package(now=NOW))
    assert "beneficiaryLocation" not in by_title["Helpline evenings"]
    assert by_title["ISVA service"]["beneficiaryLocation"] == [
        {"name": "Birmingham", "countryCode": "GB", "geoCode": "E08000025", "geoCodeType": "MD"},
        {"name": "Coventry", "countryCode": "GB", "geoCode": "E08000026", "geoCodeType": "MD"},
        {"name": "West Midlands", "countryCode": "GB", "geoCode": "E23000014", "geoCodeType": "PFA"},
    ]


def test_identifiers_carry_the_prefix_and_stay_the_same(grants, settings):
    settings.THREESIXTY_PREFIX = "360G-westmidspcc"
    first, again = threesixty.package(now=NOW), threesixty.package(now=NOW.replace(day=4))
    ids = [g["id"] for g in first["grants"]]
    assert ids == [f"360G-westmidspcc-award-{grants[k].pk}" for k in ("areas", "pence")]  # the latest first
    assert ids == [g["id"] for g in again["grants"]]
    assert all(g["grantProgramme"][0]["code"].startswith("360G-westmidspcc-") for g in first["grants"])
    assert first["identifier"].startswith("360G-westmidspcc")


def test_with_nothing_awarded_the_package_has_no_grants(db):
    package = threesixty.package(now=NOW)
    assert package["grants"] == []
    # NOTE: the standard wants one grant or more in a package: an empty one says there is nothing yet.
    assert package_errors(package) and all("grants" in e for e in package_errors(package))


# --- The CSV ---------------------------------------------------------------------------------------------------
def _csv_bytes() -> bytes:
    header, rows = threesixty.csv_table()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def test_each_csv_row_is_a_valid_grant_saying_what_the_json_says(grants):
    assert_valid_360giving(json.dumps(threesixty.package(now=NOW)), _csv_bytes())


def test_the_csv_uses_the_standards_titles_with_the_other_areas_numbered(grants):
    header, rows = threesixty.csv_table()
    assert header[:7] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date", "URL"]
    assert "Beneficiary Location:Geographic Code Type" in header
    assert "Beneficiary Location:2:Geographic Code" in header and "Beneficiary Location:3:Name" not in header
    row = dict(zip(header, rows[1], strict=True))  # the pence, awarded first
    assert row["Amount Awarded"] == "1234.56"
    assert row["Beneficiary Location:Name"] == ""


# --- The helper checks what it says it checks ------------------------------------------------------------------
def test_the_validation_refuses_data_that_breaks_the_standard(grants):
    grant = threesixty.package(now=NOW)["grants"][0]
    broken = [
        {**grant, "amountAwarded": "40000.00"},  # a number, not text
        {**grant, "awardDate": "1 February 2027"},
        {**grant, "dateModified": "2027-02-01"},  # a date-time
        {**grant, "currency": "£"},
        {**grant, "url": "/register/decisions/1/2026/"},  # absolute
        {k: v for k, v in grant.items() if k != "recipientOrganization"},
        {**grant, "recipientOrganization": [{"name": "No identifier"}]},
    ]
    for wrong in broken:
        assert package_errors({"grants": [wrong]}), wrong
    assert not package_errors({"grants": [grant]})


def test_without_the_schemas_the_tests_fail_and_say_where_they_looked(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="THREESIXTY_SCHEMA_DIR"):
        schema_dir([tmp_path / "nowhere"])
