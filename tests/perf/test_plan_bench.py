"""Benchmark: the plan pages at the limits of what a plan may hold (make bench).

A version with as much text as a version may hold (targets/plans/limits.py: sections of the largest size,
the version's total), agreed, and a second version with many changes in every section. Prints the time of
each page the first time (nothing cached but the sections' HTML, made when they were saved) and the second,
and the steps the comparison took; asserts only that each page answered.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from partners.models import Partner, Role
from portal.pdf import MAX_PAGES
from targets.plans import limits, services
from targets.plans.diff import diff_words, marked_html
from targets.plans.markdown import render_markdown, section_html
from targets.plans.opcodes import Budget
from tests.conftest import signed_in
from tests.factories import (
    SYSTEM,
    latest_version,
    long_section,
    make_partner,
    make_person,
    make_plan,
    plan_send,
    plan_sign,
    revised_section,
)


class Timed:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        print(f"  {self.name:<44} {time.perf_counter() - self.started:7.2f} s")


def _pages(document: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(document)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


@pytest.mark.perf
@pytest.mark.django_db
def test_the_plan_pages_at_the_limits(tmp_path):
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    probation = make_partner("probation", Partner.Kind.PROBATION, "Probation Service")
    officer = make_person(police, Role.OFFICER, "bench.officer")
    for partner in (police, probation):
        make_person(partner, Role.SIGNATORY, f"bench.signatory.{partner.slug}")
    count = limits.VERSION_TEXT // limits.SECTION_BODY
    seed = int(time.time())  # new text each run: nothing from an earlier run is in the cache
    texts = [long_section(limits.SECTION_BODY, seed=seed + n) for n in range(count)]
    print(f"\n{count} sections of {limits.SECTION_BODY:,} characters ({count * limits.SECTION_BODY:,} in all)")

    with Timed("render one section's Markdown (no cache)"):
        render_markdown(texts[0])
    with Timed("make the plan (sections checked and rendered)"):
        plan = make_plan(police, [probation], sections=[(f"Part {n}", t, None) for n, t in enumerate(texts)])
    plan_send(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    draft = services.plan_version_start(plan=plan, by=SYSTEM)
    with Timed("save a section with many changes"):
        for section, text in zip(draft.sections.order_by("order"), texts):
            services.plan_section_update(section=section, body=revised_section(text, seed=seed), by=SYSTEM)
    client = signed_in(officer)
    client.get("/")  # the first request of the process (templates compiled, middleware set up) is not timed
    version = latest_version(plan)
    pages = {
        "version page": version.get_absolute_url(),
        "version in the API": f"/api/v1/plans/{plan.pk}/versions/{version.number}/",
        "print page": f"/plans/{plan.pk}/versions/1/print/",
        "comparison of the two versions": f"/plans/{plan.pk}/compare/?from=1&to=2",
        "PDF of the agreed version": f"/plans/{plan.pk}/versions/1/plan.pdf",
    }
    for name, url in pages.items():
        for when in ("first", "again"):
            with Timed(f"{name} ({when})"):
                response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
        if url.endswith(".pdf"):
            print(f"  {'':<44} {_pages(response.content, tmp_path)} pages")
    steps = []
    for before, after in zip(
        plan.versions.get(number=1).sections.order_by("order"), version.sections.order_by("order")
    ):
        budget = Budget(limits.SECTION_COMPARISON_STEPS)
        diff_words(before.body, after.body, budget=budget)
        marked_html(section_html(before.body), section_html(after.body), budget=budget)
        steps.append(budget.used)
    print(
        f"  steps to mark each section's words: {', '.join(f'{n:,}' for n in steps)} (a section's budget "
        f"{limits.SECTION_COMPARISON_STEPS:,}, the page's {limits.COMPARISON_STEPS:,}); PDF bound {MAX_PAGES} pages"
    )
