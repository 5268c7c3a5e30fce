"""Playwright on Debian's Chromium, driving pytest-django's live_server.

NOTE: pytest-playwright's fixtures are not used: they want a browser downloaded by
`playwright install`, which these machines cannot do. `make chromium` installs Debian's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told this is safe (it is: the loop is idle).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = REPO_ROOT / "node_modules/axe-core/axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_RUN = (
    "async () => (await axe.run(document, {runOnly: "
    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})).violations"
)


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context (no cookies) for each test."""
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_problems(page) -> list[str]:
    """Console errors (CSP refusals, missing files) and uncaught script errors on the page."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE} is missing: run `make assets` (npm ci)")
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source):
    """axe_check(page): assert the page has no WCAG 2.2 AA violations axe-core can find."""

    def check(page) -> None:
        # NOTE: the CSP refuses an injected <script> element, so the source is evaluated.
        page.evaluate(axe_source)
        violations = page.evaluate(AXE_RUN)
        if violations:
            report = [f"axe found {len(violations)} violation(s) on {page.url}:"]
            for violation in violations:
                report.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"]:
                    report.append(f"    {node['target']}: {node['html'][:200]}")
            print("\n".join(report))
            pytest.fail("\n".join(report), pytrace=False)

    return check
