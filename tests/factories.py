"""Builders for every test: people, partners, indicators, figures, agreements, data returns.

Partners, memberships, indicators and agreements go through the services (groups, grants, audit),
as the system actor (audited as "system: tests"); figures meant as a test's input are written
directly. One place for each builder: the tests of every app import them from here.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import services as partner_services
from partners.models import Area, DataSharingAgreement, Partner, Role
from portal.actors import system

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"
SYSTEM = system("tests")
DSA = DataSharingAgreement
# The columns of a data return (targets.validation), in the template's order.
HEADER = "indicator_code,area_code,period_start,period_end,value,numerator,denominator,age_band,sex,ethnicity"


# --- People and partners ---------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_device(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="Test app", confirmed=True)
        if create:
            self.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"E0900{n:04d}")
    name = factory.Sequence(lambda n: f"Area {n}")
    kind = Area.Kind.LOCAL_AUTHORITY


def make_partner(
    slug: str | None = None, kind: str = Partner.Kind.OTHER, name: str | None = None, areas=None
) -> Partner:
    n = next(_seq)
    slug = slug or f"partner-{n}"
    return partner_services.partner_create(
        name=name or f"Partner {slug}",
        short_name=(name or slug)[:20],
        slug=slug,
        kind=kind,
        areas=areas or [],
        by=SYSTEM,
    )


def make_person(partner: Partner, role: str = Role.OFFICER, username: str | None = None, **user_kwargs):
    user = UserFactory(username=username or f"{partner.slug}.{role}.{next(_seq)}", **user_kwargs)
    partner_services.membership_add(user=user, partner=partner, role=role, by=SYSTEM)
    return user


# --- Indicators and figures ------------------------------------------------------------------------
def make_indicator(
    code: str,
    provider: Partner,
    *,
    breakdowns=("sex",),
    geography=Area.Kind.LOCAL_AUTHORITY,
    unit=None,
    frequency=None,
    polarity=None,
    **extra,
):
    """An indicator through the service (its provider gets its grants). Defaults: monthly rate per 1,000,
    lower is better, by local authority, broken down by sex."""
    from targets.models import Indicator
    from targets.services import indicator_create

    return indicator_create(
        code=code,
        name=extra.pop("name", f"{code} indicator"),
        unit=unit or Indicator.Unit.RATE_1000,
        polarity=polarity or Indicator.Polarity.LOWER_IS_BETTER,
        frequency=frequency or Indicator.Frequency.MONTHLY,
        geography=geography,
        provider=provider,
        breakdowns=list(breakdowns),
        by=SYSTEM,
        **extra,
    )


def add_figures(
    indicator,
    area: Area,
    *,
    total: str = "1.2500",
    female: str = "0.5000",
    male: str = "2.0000",
    start: date = date(2026, 9, 1),
) -> list:
    """A total and a breakdown by sex for one month (test input, written directly)."""
    from targets.models import Observation

    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = [({}, total), ({"sex": "Female"}, female), ({"sex": "Male"}, male)]
    return [
        Observation.objects.create(
            indicator=indicator,
            area=area,
            period_start=start,
            period_end=end,
            provider=indicator.provider,
            breakdown=values,
            breakdown_key=";".join(f"{k}={v}" for k, v in values.items()),
            value=Decimal(value),
        )
        for values, value in rows
    ]


def add_monthly_totals(
    indicator, area: Area, months: int, *, value="9", demo=True, start: date = date(2023, 5, 1)
) -> None:
    """Monthly totals from `start` (test input, written directly)."""
    from targets.models import Observation

    rows = []
    year, month = start.year, start.month
    for _ in range(months):
        first = date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        last = date.fromordinal(date(year, month, 1).toordinal() - 1)
        rows.append(
            Observation(
                indicator=indicator,
                area=area,
                period_start=first,
                period_end=last,
                value=Decimal(value),
                provider=indicator.provider,
                is_demo=demo,
            )
        )
    Observation.objects.bulk_create(rows)


def observe(
    indicator,
    area: Area,
    start: date,
    end: date,
    value,
    *,
    key: str = "",
    breakdown: dict | None = None,
    revision: int = 1,
    is_current: bool = True,
):
    """One figure put straight in the table (for reads; writes go through the services), and the targets'
    snapshots worked out again as applying a return would (the tests run inside a transaction that never
    commits, so the outbox's refresh would not run)."""
    from targets.models import Observation
    from targets.services.snapshots import target_snapshots_refresh

    row = Observation.objects.create(
        indicator=indicator,
        area=area,
        period_start=start,
        period_end=end,
        breakdown_key=key,
        breakdown=breakdown or {},
        value=Decimal(str(value)),
        provider=indicator.provider,
        revision=revision,
        is_current=is_current,
    )
    target_snapshots_refresh(everything=True)
    return row


# --- Data returns ----------------------------------------------------------------------------------
def csv_file(*rows, header: str = HEADER, name: str = "return.csv") -> SimpleUploadedFile:
    """A CSV return: rows as text ("HOM,E23000014,…") or as lists of cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(header + "\n")
    for row in rows:
        if isinstance(row, str):
            buffer.write(row + "\n")
        else:
            writer.writerow(row)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "return.xlsx", header: str = HEADER) -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def upload(partner, by, file, capture):
    """Upload through the service; the checks (a task queued on commit) run as the commit would run them."""
    from targets import services

    with capture(execute=True):
        data_return = services.data_return_upload(partner=partner, uploaded_file=file, by=by)
    data_return.refresh_from_db()
    return data_return


def upload_page(client, capture, file):
    """Upload through the page, as a person would."""
    with capture(execute=True):
        return client.post("/data-returns/upload/", {"file": file})


# --- Data-sharing agreements -----------------------------------------------------------------------
def terms(**overrides) -> dict:
    today = timezone.localdate()
    base = dict(
        title="Recorded violence for community safety",
        purpose="Plan community safety work together",
        lawful_basis=DSA.LawfulBasis.PUBLIC_TASK,
        level=DSA.Level.AGGREGATE,
        retention="Kept for 2 years, then deleted",
        security_measures="Portal access with two factors",
        contacts="Data protection officers of each party",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=365),
        review_date=today + timedelta(days=180),
    )
    base.update(overrides)
    return base


def make_dsa(
    provider: Partner,
    recipients,
    indicators,
    *,
    status: str = DSA.Status.ACTIVE,
    by=SYSTEM,
    as_of: date | None = None,
    **overrides,
) -> DataSharingAgreement:
    """An agreement taken through the services (as the system) to the status asked for; sent and
    signed as of a day (today unless given)."""
    agreement = partner_services.dsa_draft(
        provider=provider, recipients=list(recipients), indicators=list(indicators), by=by, **terms(**overrides)
    )
    if status == DSA.Status.DRAFT:
        return agreement
    partner_services.dsa_send(agreement=agreement, by=SYSTEM, today=as_of)
    if status == DSA.Status.AWAITING_SIGNATURES:
        return refreshed(agreement)
    for party in [provider, *recipients]:
        partner_services.dsa_sign(agreement=agreement, by=SYSTEM, partner=party, today=as_of)
    if status == DSA.Status.SUSPENDED:
        partner_services.dsa_suspend(agreement=agreement, by=SYSTEM, reason="Data quality check")
    elif status == DSA.Status.REVOKED:
        partner_services.dsa_revoke(agreement=agreement, by=SYSTEM, reason="No longer needed")
    elif status == DSA.Status.ENDED:
        partner_services.dsa_end_if_expired(agreement_id=agreement.pk, today=agreement.end_date + timedelta(days=1))
    agreement = refreshed(agreement)
    assert agreement.status == status, agreement.status
    return agreement


def refreshed(agreement: DataSharingAgreement) -> DataSharingAgreement:
    return DataSharingAgreement.objects.get(pk=agreement.pk)


def covered_codes(agreement: DataSharingAgreement) -> list[str]:
    """The codes of the indicators an agreement covers."""
    from partners.sharing import coverage

    return [c.code for c in coverage().of([agreement.pk])[agreement.pk]]


def just_now():
    """A step-up given a moment ago (what a view passes as `confirmed_at` after a fresh code)."""
    return timezone.now()


# --- Plans -----------------------------------------------------------------------------------------
def _plan_period(today: date) -> tuple[date, date]:
    """Two financial years around today (from the clock the suite runs on): actions a few months either side
    of today fall inside the plan's period."""
    return date(today.year - 1, 4, 1), date(today.year + 1, 3, 31)


PLAN_PERIOD = _plan_period(date.today())
PLAN_PERIOD_WORDS = f"{PLAN_PERIOD[0].day} {PLAN_PERIOD[0]:%B %Y} to {PLAN_PERIOD[1].day} {PLAN_PERIOD[1]:%B %Y}"


def make_plan(
    owner: Partner | None,
    contributors=(),
    *,
    title: str | None = None,
    kind: str = "delivery",
    sections=None,
    actions=(),
    documents=(),
    status: str = "draft",
    today: date | None = None,
    working_days: int = 10,
    **extra,
):
    """A plan through the services (as the system), its first version taken to the status asked for:
    "draft", "in_signoff" (sent, every sign-off pending), "agreed" (every required partner signed) or
    "returned" (the first required partner returned it: version 2 is the new draft).

    sections: (title, Markdown, partner or None); by default one for the owner ("Overview", None) and one
    for each partner, titled by its short name. actions: (what, partner, due date). documents: (title,
    uploaded file)."""
    from targets.plans import services as plan_services
    from targets.plans.models import Plan

    if sections is None:
        sections = [("Overview", "Why the partners agree this plan.", None)] + [
            (p.short_name, f"What {p.short_name} will do.", p) for p in [owner, *contributors] if p is not None
        ]
    plan = plan_services.plan_create(
        kind=kind or Plan.Kind.DELIVERY,
        title=title or f"Plan {next(_seq)}",
        period_start=PLAN_PERIOD[0],
        period_end=PLAN_PERIOD[1],
        owner=owner,
        contributors=list(contributors),
        sections=list(sections),
        by=SYSTEM,
        **extra,
    )
    version = plan.versions.get()
    for what, partner, due in actions:
        plan_services.plan_action_add(
            version=version, what=what, owner=partner, due_date=due, by=SYSTEM, confirm_past=True
        )
    for doc_title, uploaded in documents:
        plan_services.plan_attachment_add(version=version, title=doc_title, uploaded_file=uploaded, by=SYSTEM)
    if status == "draft":
        return plan
    plan_send(plan, today=today, working_days=working_days)
    if status == "agreed":
        for signoff in version.signoffs.select_related("partner"):
            plan_sign(plan, signoff.partner)
    elif status == "returned":
        plan_return(plan, version.signoffs.select_related("partner").first().partner)
    elif status != "in_signoff":
        raise ValueError(f"make_plan cannot make a plan {status}")
    assert plan.versions.get(number=1).status == status, plan.versions.get(number=1).status
    return plan


def latest_version(plan):
    return plan.versions.order_by("-number").first()


def ensure_signatories(partners) -> None:
    """Somebody who can sign for each partner that has nobody (a round is never sent without)."""
    from partners.selectors import partners_without_signers

    for partner in partners_without_signers(partners):
        role = Role.PCC if partner.kind == Partner.Kind.PCC_OFFICE else Role.SIGNATORY
        make_person(partner, role, f"{partner.slug}.signer.{next(_seq)}")


def plan_send(plan, *, today: date | None = None, working_days: int = 10):
    """Send the plan's draft for sign-off (as the system), first giving a signatory to any required partner
    that has none."""
    from targets.plans import services as plan_services

    ensure_signatories(plan_services.required_partners(plan))
    return plan_services.plan_version_send(
        version=latest_version(plan), by=SYSTEM, working_days=working_days, today=today
    )


def plan_sign(plan, partner: Partner, *, statement: str = ""):
    """The partner's sign-off of the version out for sign-off (as the system, for its signatory)."""
    from targets.plans import services as plan_services

    signoff = latest_version(plan).signoffs.get(partner=partner)
    return plan_services.plan_signoff_sign(
        signoff=signoff, by=SYSTEM, statement=statement, signer_label=f"Signatory, {partner.short_name}"
    )


def plan_return(plan, partner: Partner, *, reasons: str = "Say who pays for it."):
    """The partner returns the version out for sign-off (as the system); returns the new draft."""
    from targets.plans import services as plan_services

    signoff = latest_version(plan).signoffs.get(partner=partner)
    return plan_services.plan_signoff_return(signoff=signoff, by=SYSTEM, reasons=reasons)


def pdf_file(name: str = "evidence.pdf", *, extra: bytes = b"") -> SimpleUploadedFile:
    """A small, plain PDF (extra: bytes put in its body, e.g. b"/JavaScript" to make it refused)."""
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + extra + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_file(name: str = "notes.docx", *, macros: bool = False) -> SimpleUploadedFile:
    """A minimal Word document; with macros, a macro-enabled one (a VBA project inside)."""
    import zipfile

    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        + (
            '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            if macros
            else ""
        )
        + "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document '
            'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            "<w:t>Notes</w:t></w:r></w:p></w:body></w:document>",
        )
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


# --- Long plan sections (the bounds of the comparison, the version page and the PDF) -----------------------
_PLAN_WORDS = (
    "partnership police probation victims offenders community safety board plan target delivery reduce violence "
    "youth justice council health data sharing agreement quarter outcome measure review report funding "
    "commissioner hotspot ward patrol support service court prison housing education employment mental drugs "
    "alcohol domestic abuse knife crime prevention early intervention referral caseload diversion"
).split()


def long_section(chars: int, *, seed: int = 1) -> str:
    """Markdown of exactly `chars` characters, varied as a plan is: paragraphs, headings, lists, small tables,
    emphasis and links."""
    import random

    pick = random.Random(seed)

    def words(low: int, high: int) -> str:
        return " ".join(pick.choice(_PLAN_WORDS) for _ in range(pick.randint(low, high)))

    blocks, size = [], 0
    while size < chars:
        kind = pick.random()
        if kind < 0.1:
            block = "## " + words(2, 6).capitalize()
        elif kind < 0.25:
            block = "\n".join(f"- {words(3, 12)}" for _ in range(pick.randint(2, 6)))
        elif kind < 0.3:
            rows = "\n".join(f"| {words(1, 3)} | {pick.randint(1, 999)} |" for _ in range(pick.randint(3, 8)))
            block = f"| What | How many |\n|---|--:|\n{rows}"
        else:
            sentence = [pick.choice(_PLAN_WORDS) for _ in range(pick.randint(30, 120))]
            for i in range(len(sentence)):
                if pick.random() < 0.03:
                    sentence[i] = f"**{sentence[i]}**"
                elif pick.random() < 0.01:
                    sentence[i] = f"[{sentence[i]}](https://example.org/{sentence[i]})"
            block = " ".join(sentence).capitalize() + "."
        blocks.append(block)
        size += len(block) + 2
    return "\n\n".join(blocks)[:chars]


def revised_section(text: str, *, every: int = 12, seed: int = 2) -> str:
    """The same text with many changes: about one word in `every` replaced, dropped or followed by a new one,
    kept to the length it had."""
    import random

    pick = random.Random(seed)
    out = []
    for word in text.split(" "):
        roll = pick.randrange(every * 3)
        if roll == 0:
            continue
        out.append(pick.choice(_PLAN_WORDS) if roll == 1 else word)
        if roll == 2:
            out.append(pick.choice(_PLAN_WORDS))
    revised = " ".join(out)
    return (revised + " " + long_section(len(text), seed=seed))[: len(text)]
