"""No page scrolls sideways as a whole (WCAG 2.2 SC 1.4.10, reflow), at 320 px or at 1280 px wide,
for every role, and axe-core finds nothing on any page (each page at 320 px, each route at 1280 px).

Every route in the URL configuration is walked (as tests/portal/test_sign_in.py does), its object
ids filled in from a world with data (tests/test_permission_matrix.py's, with more in it), and
asked for as each role; the pages a role gets (200 HTML, no redirect) are loaded in the browser
and checked at both widths, with every <details> opened. (A page whose HTML is the same as one
already checked, but for the CSRF token, the nonce and who is signed in, is not loaded again.)
A route that no role opens must be in NOT_PAGES with the reason, so a new page is checked
without anyone having to remember it.

Wide tables scroll inside their own region instead (templates/_tables.html): each region must be
focusable and named by its table's caption, and says "Scroll sideways to see the whole table" exactly
when its table is wider than it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partners.models import Area, DataSharingAgreement, Partner, Role
from portal import permissions
from portal.models import SecurityEvent
from portal.security import security_log
from portal.views.auth import RECOVERY_CODES_KEY
from targets import services as target_services
from targets.models import DataReturn
from tests.conftest import signed_in
from tests.factories import (
    SYSTEM,
    UserFactory,
    add_figures,
    make_dsa,
    make_indicator,
    make_partner,
    make_person,
    make_plan,
)
from tests.portal.test_sign_in import all_routes
from tests.test_permission_matrix import ADMIN_PREFIX, EXPECTED, _params, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 1280)
HEIGHT = 900
DSA = DataSharingAgreement

# Routes that are not pages anyone opens with GET, and why.
NOT_PAGES = {
    "portal:logout": "POST only",
    "portal:session-extend": "POST only (the session timeout script)",
    "portal:account-unlock": "POST only",
    "partners:token-revoke": "POST only",
    "portal:passkey-remove": "POST only",
    "portal:notification-open": "marks it read and redirects to what it is about",
    "portal:notifications-mark-all-read": "POST only",
    "portal:healthz": "JSON for the load balancer",
    "portal:metrics": "text for the Prometheus scraper",
    "targets:plan-version-start": "POST only (the plan page's button)",
    "targets:plan-comment-add": "POST only (the version page's comment forms)",
    "targets:plan-comment-resolve": "POST only (the version page's resolve buttons)",
    "targets:plan-attachment": "a download",
    "funding:application-attachment": "a download",
    "callins:callin-attachment": "a download",
    "register:feed": "an Atom feed, for feed readers (tests/browser/test_public_register.py reads it)",
}
# The recovery codes page shows the codes once, just after someone sets up their authenticator.
SHOWN_RECOVERY_CODES = "health"
NOT_PAGE_PREFIXES = ("api:", "otp_webauthn:")  # JSON for scripts and partner systems
FILE_ROUTE = re.compile(r"\.(\w+|<[^>]+>)$")  # report.csv, template.<str:fmt>, favicon.ico: downloads


def _is_page_route(route: str, name: str) -> bool:
    return not (
        ("/" + route).startswith(ADMIN_PREFIX)
        or name in NOT_PAGES
        or name.startswith(NOT_PAGE_PREFIXES)
        or FILE_ROUTE.search(route)
    )


# --- The world ---------------------------------------------------------------------------------------
def _security_events(people) -> None:
    security_log(
        SecurityEvent.Kind.SIGN_IN_FAILED,
        username="someone.with.a.very.long.username@example.gov.uk",
        detail="wrong password",
    )
    security_log(SecurityEvent.Kind.LOCKED_OUT, username="council.officer", detail="too many failed attempts")
    security_log(
        SecurityEvent.Kind.ACCESS_DENIED,
        user=people["officer"],
        detail="/sharing-agreements/1234567/suspend/?next=/sharing-agreements/who-shares-what/",
    )
    security_log(SecurityEvent.Kind.SIGN_IN, user=people["pcc_officer"])


def _data_returns(officer, council, indicator, area) -> dict:
    """A return that revises a figure, one with errors (long words in it) and one still waiting for its checks."""
    start = date(2026, 9, 1)
    header = "indicator_code,area_code,period_start,period_end,value\n"
    revising = f"{header}{indicator.code},{area.code},{start},{date(2026, 9, 30)},1.3000\n"
    wrong = (
        f"{header}{indicator.code},{area.code},{start},{date(2026, 9, 30)},not-a-number\n"
        f"NO-SUCH-INDICATOR-WITH-A-VERY-LONG-CODE-1234567890,E08000025,2026-13-45,2026-09-30,1\n"
    )
    uploaded = {}
    for name, content in (("revising", revising), ("wrong", wrong)):
        upload = SimpleUploadedFile(
            f"{name}-return-for-birmingham-city-council-september-2026.csv", content.encode(), content_type="text/csv"
        )
        uploaded[name] = target_services.data_return_upload(partner=council, uploaded_file=upload, by=officer)
    waiting = DataReturn.objects.create(
        partner=council,
        uploaded_by=officer,
        file_path="data-returns/waiting.csv",
        original_filename="waiting.csv",
        kind=DataReturn.Kind.CSV,
        sha256="1" * 64,
        status=DataReturn.Status.UPLOADED,
    )
    permissions.grant("view_datareturn", council.group, waiting)
    uploaded["waiting"] = waiting
    return uploaded


def _plans(world, people, council, police) -> list[dict]:
    """Comments and replies (one with a long word) on the council's draft; a plan returned once (two
    versions to compare); the police plan the council signs off. Returns their versions' URL values."""
    from targets.plans import services as plan_services

    draft = world.plans["own"].versions.get(number=1)
    section = draft.sections.filter(assigned_to=council).get()
    comment = plan_services.plan_comment_add(
        section=section,
        body="Say how the wardens' hours are paid for: https://www.birmingham.gov.uk/community-safety-wardens-funding",
        by=people["officer"],
    )
    plan_services.plan_comment_add(section=section, body="Added.\nSee the budget line.", parent=comment, by=SYSTEM)
    returned = make_plan(council, [police], title="Antisocial behaviour delivery plan", status="returned")
    second = returned.versions.get(number=2)
    words = second.sections.get(assigned_to=council)
    plan_services.plan_section_update(section=words, body=words.body + " With **six more wardens**.", by=SYSTEM)
    return [
        {"pk": world.plans["own_signoff"].pk, "number": 1},
        {"pk": returned.pk, "number": 1},
        {"pk": returned.pk, "number": 2},
    ]


def _powers(people, council) -> dict:
    """The PCC's powers at the stages the matrix's world has none of: a council decision in its window (to call
    in or waive), one whose window closed (to take effect), one answered (to determine) and one referred back
    (its final outcome); a vacancy (to shortlist and consult) and an appointment with the PCC's view (to
    confirm). Returns the URL values they add, by kind."""
    from django.utils import timezone

    from callins import services as callin_services
    from callins.models import CallInGround
    from tests.factories import just_now

    officer, signatory, pcc_officer, pcc = (people[r] for r in ("officer", "signatory", "pcc_officer", "pcc"))
    ground = CallInGround.objects.get()
    today = timezone.localdate()

    def log(reference, title, *, days_ago=0, value="48500.00"):
        return callin_services.decision_log(
            partner=council,
            by=officer,
            reference=reference,
            title=title,
            summary="Three neighbourhood offices close; their staff move to the central hub.\nOpening hours change.",
            reasons="The buildings cost more to run than the service they give.",
            decision_maker_name="Alexandra Montgomery-Whitfield",
            decision_maker_post="Strategic Director, City Operations",
            made_on=today - timedelta(days=days_ago),
            takes_effect_on=today + timedelta(days=60),
            category="estates",
            financial_value=value,
            today=today - timedelta(days=days_ago),
        )

    def answered(decision):
        callin = callin_services.callin_draft(
            decision=decision, by=pcc_officer, grounds=[ground], questions="How were residents consulted?"
        )
        callin = callin_services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now())
        callin_services.callin_response_save(callin=callin, by=officer, response_text="Two public meetings.")
        return callin_services.callin_submit(callin=callin, by=signatory, confirmed_at=just_now())

    in_window = log("BCC-2026-117", "Close three neighbourhood offices")
    closed = log("BCC-2026-090", "Extend the CCTV contract", days_ago=40, value="1250000.00")
    to_determine = answered(log("BCC-2026-118", "Move the youth hub"))
    referred = answered(log("BCC-2026-119", "Cut the night-time economy wardens"))
    referred = callin_services.callin_determine(
        callin=referred,
        by=pcc,
        outcome="referred_back",
        reasons="The wardens meet a board target.",
        recommendations="Keep the wardens in the city centre at weekends.",
        confirmed_at=just_now(),
    )
    vacancy = callin_services.appointment_open(partner=council, by=officer, post="Director of Community Safety")
    viewed = callin_services.appointment_consult(
        appointment=callin_services.appointment_open(partner=council, by=officer, post="Head of Youth Justice"),
        by=officer,
        candidate="Priya Raman-Oduya",
    )
    callin_services.appointment_record_view(
        appointment=viewed, by=pcc_officer, view="concerns", reasons="The post should report to the board."
    )
    return {
        "decision": [in_window.pk, closed.pk, to_determine.decision_id, referred.decision_id],
        "callin": [to_determine.pk, referred.pk],
        "pcc_decision": [referred.pcc_decision_id],
        "appointment": [vacancy.pk, viewed.pk],
    }


def build_reflow_world():
    world = build_world()
    council = world.dsas["own"].provider
    police = world.dsas["sharing"].provider
    probation = world.dsas["other"].provider
    area = Area.objects.get(code="E08000025")
    yjs = make_partner("birmingham-yjs", Partner.Kind.YOUTH_JUSTICE, "Birmingham Youth Justice Service", [area])
    yjs.website = "https://www.birmingham.gov.uk/info/50110/youth_offending_service/1234/a-very-long-address-indeed"
    yjs.save(update_fields=["website"])
    icb = make_partner("bsol-icb", Partner.Kind.HEALTH, "NHS Birmingham and Solihull Integrated Care Board", [area])
    people = dict(world.people)
    people["youth_justice"] = make_person(yjs, Role.OFFICER, "yjs.birmingham.officer")
    people["health"] = make_person(icb, Role.OFFICER, "health.officer")
    first_time = make_indicator("YJS-FTE-BIR", yjs)
    reoffending = make_indicator("YJS-REOFF-BIR", yjs, breakdowns=("sex", "age_band"))
    for indicator in (first_time, reoffending):
        add_figures(indicator, area)
    # the matrix: a youth justice service shares with many; agreements in every other state
    extra = {
        "yjs": make_dsa(
            yjs,
            [police, council, probation, icb],
            [first_time, reoffending],
            level=DSA.Level.BREAKDOWNS,
            title="First-time entrants for partnership planning",
        ),
        "draft": make_dsa(
            council,
            [police, yjs],
            [world.indicators["own"]],
            status=DSA.Status.DRAFT,
            title="Antisocial behaviour figures for neighbourhood policing",
        ),
        "awaiting": make_dsa(
            police,
            [council, icb],
            [world.indicators["sharing"]],
            status=DSA.Status.AWAITING_SIGNATURES,
            title="Serious violence for health partners",
        ),
        "suspended": make_dsa(
            council,
            [probation],
            [world.indicators["own"]],
            status=DSA.Status.SUSPENDED,
            title="Antisocial behaviour for probation",
        ),
    }
    target_services.target_create(
        priority=target_services.priority_create(
            title="Fewer first-time entrants to the youth justice system",
            slug="fewer-first-time-entrants",
            lead_partners=[yjs, council],
            by=SYSTEM,
        ),
        indicator=first_time,
        area=area,
        owner=yjs,
        baseline_value=Decimal("2"),
        baseline_period_start=date(2025, 4, 1),
        baseline_period_end=date(2026, 3, 31),
        target_value=Decimal("1.5"),
        target_date=date(2027, 3, 31),
        by=SYSTEM,
    )
    returns = _data_returns(people["officer"], council, world.indicators["own"], area)
    plan_versions = _plans(world, people, council, police)
    _security_events(people)
    newcomer = UserFactory(username="new.starter", with_device=False)
    objects = {kind: list(values.values()) if kind != "passkey" else [] for kind, values in world.objects.items()}
    objects["dsa"] += [agreement.pk for agreement in extra.values()]
    objects["data_return"] += [r.pk for r in returns.values()]
    objects["indicator"].append(first_time.code)
    objects["partner"] += [yjs.slug, icb.slug]
    objects["user"].append(newcomer.pk)
    objects["plan_version"] += plan_versions
    objects["plan"] += sorted({v["pk"] for v in plan_versions})
    for kind, values in _powers(people, council).items():
        objects[kind] += values
    return people, newcomer, objects


def sessions(people, newcomer) -> dict[str, Client]:
    """Role -> a client whose session cookie the browser borrows: signed in with a recent second
    factor; the newcomer with a password and no authenticator yet; anonymous with none."""
    clients = {role: signed_in(user) for role, user in people.items()}
    session = clients[SHOWN_RECOVERY_CODES].session
    session[RECOVERY_CODES_KEY] = ["a1b2-c3d4", "e5f6-g7h8", "i9j0-k1l2", "m3n4-o5p6"]
    session.save()
    clients["newcomer"] = Client()
    clients["newcomer"].force_login(newcomer)
    clients["anonymous"] = Client()
    return clients


def candidate_paths(objects) -> list[tuple[str, str]]:
    """(path, route name) for every page route, once for each object of the kind it names."""
    out, seen = [], set()
    for route, name in all_routes():
        if not _is_page_route(route, name):
            continue
        params = _params(route)
        if not params:
            if reverse(name) not in seen:  # (two names for /data-returns/)
                seen.add(reverse(name))
                out.append((reverse(name), name))
            continue
        assert name in EXPECTED and EXPECTED[name].kind, (
            f"{name} takes an object id: say which kind in tests/test_permission_matrix.py EXPECTED"
        )
        for value in objects[EXPECTED[name].kind]:
            kwargs = value if isinstance(value, dict) else {params[0]: value}  # (a plan, its version, …)
            out.append((reverse(name, kwargs=kwargs), name))
    # the 403 and 404 pages
    out += [("/no-such-page/", "404"), ("/audit/", "403")]
    return out


# --- The checks --------------------------------------------------------------------------------------
LAYOUT = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const problems = [];
  const width = window.innerWidth, doc = document.documentElement;
  // after a resize, give scripts that follow it (Chart.js redraws its canvas) a moment
  for (let waited = 0; doc.scrollWidth > width && waited < 500; waited += 25)
    await new Promise(done => setTimeout(done, 25));
  if (doc.scrollWidth > width) {
    const beyond = el => el.getBoundingClientRect().right > width + 0.5;
    const sticking = [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().width > 0 && beyond(el) && ![...el.children].some(beyond))
      .slice(0, 3)
      .map(el => `<${el.tagName.toLowerCase()} class="${el.className}"> "${el.textContent.trim().slice(0, 40)}"`);
    problems.push(`the page is ${doc.scrollWidth}px wide: ${sticking.join('; ')}`);
  }
  // the table hints are measured by portal.js as their regions are laid out: two frames later
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  document.querySelectorAll('.app-table-scroll').forEach((region, n) => {
    const hint = region.parentElement.querySelector(':scope > .app-table-scroll__hint');
    const overflows = region.scrollWidth > region.clientWidth + 1;
    const hinted = Boolean(hint && hint.getClientRects().length);
    if (overflows && !hinted) problems.push(`table region ${n + 1} is wider than the page but does not say it scrolls`);
    if (!overflows && hinted) problems.push(`table region ${n + 1} fits but says to scroll sideways`);
    const labelId = region.getAttribute('aria-labelledby');
    const label = labelId && document.getElementById(labelId);
    const caption = region.querySelector('table > caption');
    if (region.getAttribute('role') !== 'region') problems.push(`table region ${n + 1} has no role="region"`);
    if (region.getAttribute('tabindex') !== '0') problems.push(`table region ${n + 1} has no tabindex="0"`);
    if (!(label && label.textContent.trim()) && !region.getAttribute('aria-label'))
      problems.push(`table region ${n + 1} is not named by a caption (aria-labelledby="${labelId}")`);
    if (!caption || !caption.textContent.trim()) problems.push(`the table in region ${n + 1} has no caption`);
  });
  return problems;
}"""


STATUS = {"403": 403, "404": 404}  # the error pages; every other page is a 200


# What differs between two people's copies of the same page without changing its layout.
UNLAID = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"'
    r'|<div class="app-user-bar".*?</form>\s*</div>',
    re.S,
)


def _page_as(client: Client, path: str, name: str) -> str | None:
    """The page this role gets (its status, HTML, no redirect) with UNLAID taken out, or None;
    asked in-process, which is much quicker than in the browser."""
    if name == "portal:recovery-codes":
        return path  # shown once: asking first would use it up
    response = client.get(path)
    if response.status_code != STATUS.get(name, 200) or not response["Content-Type"].startswith("text/html"):
        return None
    return UNLAID.sub("", response.content.decode())


@pytest.fixture
def quick_live_server(live_server, monkeypatch):
    """NOTE: without TCP_NODELAY each response on a kept-alive connection waits ~40 ms for a
    delayed ACK (the server writes headers and body separately), which doubles this test's time."""
    from django.core.servers.basehttp import WSGIRequestHandler

    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    return live_server


def test_no_page_scrolls_sideways_for_any_role_at_320_or_1280_px(
    chromium_browser, quick_live_server, axe_check, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base_url = quick_live_server.url
    people, newcomer, objects = build_reflow_world()
    clients = sessions(people, newcomer)
    paths = candidate_paths(objects)

    problems: list[str] = []
    opened: dict[str, set[str]] = {}  # route name -> roles that opened it
    axed: set[tuple[str, int]] = set()  # (path at 320 px, route name at 1280 px): several roles open each
    laid_out: set[str] = set()  # pages already checked: another role's identical copy is not loaded again
    for role, client in clients.items():
        context = chromium_browser.new_context(
            base_url=base_url, locale="en-GB", viewport={"width": WIDTHS[0], "height": HEIGHT}
        )
        context.set_default_timeout(10_000)
        if settings.SESSION_COOKIE_NAME in client.cookies:
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "url": base_url,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    }
                ]
            )
        page = context.new_page()
        width = WIDTHS[0]  # the width the tab is at: a page loads at it, so each takes one resize
        for path, name in paths:
            if name == "portal:recovery-codes" and role != SHOWN_RECOVERY_CODES:
                continue
            html = _page_as(client, path, name)
            if html is None:
                continue
            opened.setdefault(name, set()).add(role)
            if html in laid_out and role in opened.get("portal:home", ()):  # (its own header checked there)
                continue
            laid_out.add(html)
            response = page.goto(path, wait_until="domcontentloaded")
            assert response.status == STATUS.get(name, 200) and urlsplit(page.url).path == path, (role, path)
            for next_width in sorted(WIDTHS, key=lambda w: w != width):
                if next_width != width:
                    width = next_width
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                problems += [f"{path} as {role} at {width}px: {problem}" for problem in page.evaluate(LAYOUT)]
                key = (path if width == WIDTHS[0] else name, width)
                if key not in axed:
                    axed.add(key)
                    try:
                        axe_check(page)
                    except pytest.fail.Exception as failure:
                        problems.append(f"{path} as {role} at {width}px: {failure}")
        context.close()

    page_routes = {name for _, name in paths}
    assert not page_routes - set(opened), (
        f"no role opened {sorted(page_routes - set(opened))}: give the world what they show, or add them to NOT_PAGES"
    )
    for role in clients:
        assert any(role in roles for roles in opened.values()), f"{role} opened no page"
    assert not problems, "\n".join(problems)
