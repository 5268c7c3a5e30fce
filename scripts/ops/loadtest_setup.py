"""The load test's data, in the database scripts/ops/loadtest.py made (run by it, with its environment).

    python scripts/ops/loadtest_setup.py demo          # the demo on top of the benchmark data
    python scripts/ops/loadtest_setup.py people N OUT  # N people for each journey; what the journeys need, as JSON

`demo`: bench_data runs only on a new database (it makes accounts with a known password) and seed_demo only on a
database of demo accounts, in development: each refuses the other's data. The load test's database is new, on
loopback, and thrown away, so bench_data makes its rows first and the demo's seed steps (portal.demo.seed_all,
what seed_demo runs) are then run on top, under the production settings. The portal has one PCC office: the
benchmark's own is made inactive first, so the demo's is the board's PCC office.

`people`: every person of a journey signs in with their own password and authenticator app, as people do (an
app's code works once, so many clients cannot share one account), so N officers are added to the partners that
contribute to a demo plan and provide a monthly or quarterly indicator, N PCC officers and N board members to the
Office of the PCC, each with the demo password and an authenticator app; the plan gets a new draft version (the
strategic plan: the delivery plan's is out for sign-off) with a section for each of those partners. The JSON
names, for each journey, the accounts with their authenticator keys and the paths and form values its steps
use. Running it again finds the same people and draft.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from callins.models import CallIn  # noqa: E402
from partners.models import Area, Partner, Role  # noqa: E402
from partners.services import membership_add  # noqa: E402
from portal.demo import seed_all  # noqa: E402
from portal.seeding import SEED, demo_password  # noqa: E402
from targets.models import Indicator, Priority, Target  # noqa: E402
from targets.plans import services as plan_services  # noqa: E402
from targets.plans.models import Plan, PlanVersion  # noqa: E402

BENCH_PCC_OFFICE = "bench-pcc-office"  # targets/bench/people.py
DEMO_PCC_OFFICE = "opcc"  # partners/demo.py


def demo() -> None:
    Partner.objects.filter(slug=BENCH_PCC_OFFICE).update(active=False)
    seed_all()


def _people(prefix: str, count: int, partners: list[Partner], role: str, password: str) -> list[dict]:
    """Each person's username, authenticator key and partner (made the first time, found again after)."""
    User = get_user_model()
    out = []
    for n in range(count):
        partner = partners[n % len(partners)]
        username = f"load.{prefix}.{n + 1:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                password=password,
                first_name="Load",
                last_name=f"{prefix.title()} {n + 1}",
                email=f"{username}@cjpartnership.example",
            )
            TOTPDevice.objects.create(user=user, name="Load test authenticator", confirmed=True)
            membership_add(user=user, partner=partner, role=role, job_title="Load test", by=SEED)
        partner = user.memberships.get().partner
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        out.append({"username": username, "key": device.key, "partner": partner.slug})
    return out


FREQUENCIES = (Indicator.Frequency.MONTHLY, Indicator.Frequency.QUARTERLY)


def _return_row(partner: Partner) -> dict | None:
    """A monthly or quarterly indicator the partner provides and the areas it may report it for (the journeys
    make one-row returns of them)."""
    indicators = Indicator.objects.filter(provider=partner, frequency__in=FREQUENCIES).order_by("frequency", "code")
    for indicator in indicators:
        areas = list(partner.areas.filter(kind=indicator.geography).order_by("code").values_list("code", flat=True))
        if areas:
            return {"indicator": indicator.code, "frequency": indicator.frequency, "areas": areas}
    return None


def _draft_plan() -> tuple[Plan, PlanVersion]:
    """A draft of a demo plan: one being written, else a new version of the first agreed plan (the strategic
    plan: its sections are assigned to the partners that write them)."""
    drafts = PlanVersion.objects.filter(status=PlanVersion.Status.DRAFT).select_related("plan").order_by("pk")
    if drafts:
        return drafts[0].plan, drafts[0]
    plan = Plan.objects.filter(versions__status=PlanVersion.Status.AGREED).order_by("pk").first()
    return plan, plan_services.plan_version_start(plan=plan, by=SEED)


def _sections(plan: Plan, draft: PlanVersion, partners: list[Partner]) -> dict[str, str]:
    """The edit page of a section of the draft for each partner (a section is added for one that has none)."""
    out = {}
    for partner in partners:
        section = draft.sections.filter(assigned_to=partner).order_by("pk").first()
        if section is None:
            section = plan_services.plan_section_add(
                version=draft,
                title=f"What {partner.short_name} will do",
                body="To be written.",
                assigned_to=partner,
                by=SEED,
            )
        out[partner.slug] = reverse(
            "targets:plan-section-edit", kwargs={"pk": plan.pk, "number": draft.number, "key": section.key}
        )
    return out


@transaction.atomic
def people(count: int) -> dict:
    password = make_password(demo_password())  # (one hash for all: hashing each would take minutes)
    plan, draft = _draft_plan()
    rows = {}
    for partner in plan.contributors.filter(active=True).exclude(kind=Partner.Kind.PCC_OFFICE).order_by("slug"):
        row = _return_row(partner)
        if row:
            rows[partner.slug] = row
    if not rows:
        raise SystemExit("no partner contributing to the demo plan provides a monthly or quarterly indicator")
    providers = list(Partner.objects.filter(slug__in=rows).order_by("slug"))
    sections = _sections(plan, draft, providers)
    pcc_office = Partner.objects.get(slug=DEMO_PCC_OFFICE)
    officers = _people("officer", count, providers, Role.OFFICER, password)
    for officer in officers:
        officer.update(rows[officer["partner"]], section=sections[officer["partner"]])
    determined = CallIn.objects.filter(status__in=[CallIn.Status.STANDS, CallIn.Status.REFERRED_BACK]).order_by("pk")
    determined = determined.first() or CallIn.objects.order_by("pk").first()
    targets = Target.objects.filter(indicator__provider__in=providers).order_by("pk").values_list("pk", flat=True)
    priorities = Priority.objects.exclude(slug__startswith="bench-").order_by("order").values_list("slug", flat=True)
    areas = Area.objects.filter(kind=Area.Kind.LOCAL_AUTHORITY).order_by("code").values_list("code", flat=True)
    filters = [{}] + [{"area": code} for code in areas[:2]]
    filters += [{"partner": p.slug} for p in providers] + [{"priority": slug} for slug in priorities[:3]]
    return {
        "password": demo_password(),
        "officer": officers,
        "pcc": _people("pcc", count, [pcc_office], Role.PCC_OFFICER, password),
        "board": _people("board", count, [pcc_office], Role.BOARD_MEMBER, password),
        "targets": [reverse("targets:target", kwargs={"pk": pk}) for pk in targets[:50]],
        "dashboard_filters": filters,
        "determination": reverse("callins:callin", kwargs={"pk": determined.pk}),
        "register_entry": reverse("register:callin", kwargs={"reference": determined.reference}),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["demo"]:
        demo()
    elif sys.argv[1:2] == ["people"]:
        Path(sys.argv[3]).write_text(json.dumps(people(int(sys.argv[2])), indent=1))
    else:
        raise SystemExit(__doc__)
