"""Comparing two versions: each section as it reads with its changed words marked (and its Markdown),
delivery actions added, removed and changed field by field, documents added, removed and changed, and the
page for those who may read both versions (and not for those who may not)."""

from __future__ import annotations

import re
from datetime import timedelta

import nh3
import pytest
from django.utils import timezone

from targets.plans import selectors, services
from targets.plans.compare import VersionComparison, versions_compare
from targets.plans.diff import marked_html
from targets.plans.markdown import render_markdown
from targets.plans.models import PlanVersion
from tests.conftest import signed_in
from tests.factories import SYSTEM, latest_version, make_plan, pdf_file, plan_send, plan_sign

pytestmark = pytest.mark.django_db
V = PlanVersion.Status
ADDED = '<ins class="app-diff-ins"><span class="govuk-visually-hidden">Added: </span>[+] '
REMOVED = '<del class="app-diff-del"><span class="govuk-visually-hidden">Removed: </span>[−] '


@pytest.fixture
def revised(plan, police, probation, police_signatory, probation_signatory):
    """Version 1 agreed by both partners; version 2 a new draft started from it."""
    plan_send(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    services.plan_version_start(plan=plan, by=SYSTEM)
    return plan


def _versions(plan) -> tuple[PlanVersion, PlanVersion]:
    return plan.versions.get(number=1), plan.versions.get(number=2)


def _marked(old: str, new: str) -> str:
    return str(marked_html(render_markdown(old), render_markdown(new)))


# --- Sections -------------------------------------------------------------------------------------------
def test_a_changed_section_reads_as_rendered_with_the_changed_words_marked(revised):
    first, second = _versions(revised)
    services.plan_section_update(
        section=second.sections.get(title="Policing"),
        body="The police and partners target **stop and search** at the hotspots.",
        by=SYSTEM,
    )
    comparison = versions_compare(older=first, newer=second)
    sections = {d.title: d for d in comparison.sections}
    policing = sections["Policing"]
    assert policing.change == "changed" and (policing.added, policing.removed) == (2, 0)
    assert str(policing.rendered) == (
        f'<p class="govuk-body">The police {ADDED}and partners</ins> target <strong>stop and search</strong> at the '
        "hotspots.</p>"
    )
    assert f"{ADDED}and partners</ins>" in str(policing.html)  # the Markdown, word by word
    assert "**stop and search**" in str(policing.html)
    assert sections["Overview"].change == "unchanged"
    assert str(sections["Overview"].rendered) == str(render_markdown("Why the partners agree this plan."))
    assert [d.title for d in comparison] == [d.title for d in comparison.sections]  # iterates as its sections


def test_a_section_added_removed_or_renamed_is_marked_whole(revised):
    first, second = _versions(revised)
    services.plan_section_add(version=second, title="Victims", body="Victim Support calls *every* victim.", by=SYSTEM)
    second.sections.filter(title="Overview").delete()  # no service takes a section out
    services.plan_section_update(
        section=second.sections.get(title="Offender management"),
        title="Managing offenders",
        body="Probation supervises the people most likely to reoffend.",
        by=SYSTEM,
    )
    sections = {d.title: d for d in versions_compare(older=first, newer=second).sections}
    assert sections["Victims"].change == "added"
    assert str(sections["Victims"].rendered).startswith(f'<p class="govuk-body">{ADDED}Victim Support calls</ins> <em>')
    assert sections["Overview"].change == "removed"
    assert str(sections["Overview"].rendered).startswith(f'<p class="govuk-body">{REMOVED}Why the partners')
    renamed = sections["Managing offenders"]
    assert renamed.change == "changed" and renamed.old_title == "Offender management"
    assert "<ins" not in str(renamed.rendered)  # its words as they read did not change


def test_marked_words_stay_in_their_own_paragraph_list_item_and_table_cell():
    table = _marked(
        "| Ward | Patrols |\n|---|--:|\n| Aston | 12 |\n| Lozells | 5 |",
        "| Ward | Visits |\n|---|--:|\n| Aston | 14 |\n| Lozells | 5 |\n| Moseley | 3 |",
    )
    assert f'--numeric" scope="col">{REMOVED}Patrols</del>{ADDED}Visits</ins></th>' in table
    assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{REMOVED}12</del>{ADDED}14</ins></td>' in table
    assert table.count("<tr ") == 4 and len(re.findall(r"<th[ >]", table)) == 2
    assert f'<td class="govuk-table__cell">{ADDED}Moseley</ins></td>' in table
    listed = _marked("- one\n- two\n- three", "- one\n- three\n- four")
    assert listed == (
        '<ul class="govuk-list govuk-list--bullet"><li>one</li>'
        f"<li>{REMOVED}two</del></li><li>three</li><li>{ADDED}four</ins></li></ul>"
    )
    emphasis = _marked("Make **this** bold.", "Make this bold.")
    assert f"<strong>{REMOVED}this</del></strong> {ADDED}this</ins> bold." in emphasis  # a change of style shows
    heading = _marked("## Results", "### Results")
    assert f'<h2 class="govuk-heading-m">{REMOVED}Results</del></h2><h3 class="govuk-heading-s">{ADDED}' in heading


def test_the_marked_html_is_well_formed_and_passes_the_sanitiser_unchanged():
    marked = _marked(
        "Read [the guide](https://a.example.org) **now**, then\n\n    code  as  pasted\n\n> quoted",
        "Read [the guide](https://b.example.org) *today*, then\n\n    code  as  pasted, changed\n\n> quoted",
    )
    tags = {"p", "a", "strong", "em", "pre", "code", "blockquote", "ins", "del", "span"}
    assert nh3.clean(marked, tags=tags, attributes={"*": {"class", "href", "rel"}}, link_rel=None) == marked
    assert "<pre><code>code  as  " in marked  # the spaces of a code block are kept
    assert "<script" not in _marked("a", "<script>alert(1)</script>")


# --- Delivery actions ---------------------------------------------------------------------------------------
def test_actions_added_removed_and_changed_are_listed_with_each_change(revised, police, probation):
    first, second = _versions(revised)
    today = timezone.localdate()
    patrol = second.actions.get(what="Patrol the three hotspot wards")
    services.plan_action_update(
        action=patrol, by=SYSTEM, what="Patrol the four hotspot wards", due_date=today + timedelta(days=30)
    )
    second.actions.filter(what="Joint supervision of the top 50").delete()  # no service takes an action out
    services.plan_action_add(
        version=second, what="Youth diversion scheme", owner=probation, due_date=today + timedelta(days=90), by=SYSTEM
    )
    comparison = versions_compare(older=first, newer=second)
    actions = {a.what: a for a in comparison.actions}
    assert {a.what: a.change for a in comparison.actions} == {
        "Patrol the four hotspot wards": "changed",
        "Youth diversion scheme": "added",
        "Joint supervision of the top 50": "removed",
    }
    changed = {c.label: (c.old, c.new) for c in actions["Patrol the four hotspot wards"].changes}
    assert changed == {
        "What": ("Patrol the three hotspot wards", "Patrol the four hotspot wards"),
        "Due": (_day(today - timedelta(days=10)), _day(today + timedelta(days=30))),
    }
    assert actions["Youth diversion scheme"].fields["Partner"] == probation.name
    assert actions["Joint supervision of the top 50"].fields["Due"] == _day(today + timedelta(days=60))
    summary = dict(comparison.summary)
    assert summary["Delivery actions"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}


def test_unchanged_actions_are_counted_not_listed(revised):
    comparison = versions_compare(older=latest_version(revised).based_on, newer=latest_version(revised))
    assert comparison.actions == [] and comparison.actions_unchanged == 2


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


# --- Documents ------------------------------------------------------------------------------------------------
def test_documents_added_removed_renamed_and_replaced(
    police, probation, police_signatory, probation_signatory, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    plan = make_plan(
        police,
        [probation],
        documents=[
            ("Evidence pack", pdf_file()),
            ("Meeting notes", pdf_file("notes.pdf", extra=b"% first notes")),
            ("Old budget", pdf_file("budget.pdf", extra=b"% budget")),
        ],
    )
    plan_send(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    second = services.plan_version_start(plan=plan, by=SYSTEM)
    second.attachments.all().delete()  # whatever the new draft carried over, it holds what follows
    for title, uploaded in (
        ("Evidence pack 2026", pdf_file()),  # the same file, renamed
        ("Meeting notes", pdf_file("notes.pdf", extra=b"% second notes")),  # the same title, another file
        ("Map of the wards", pdf_file("map.pdf", extra=b"% map")),
    ):
        services.plan_attachment_add(version=second, title=title, uploaded_file=uploaded, by=SYSTEM)
    comparison = versions_compare(older=plan.versions.get(number=1), newer=second)
    documents = {d.title: d for d in comparison.documents}
    assert {d.title: d.change for d in comparison.documents} == {
        "Evidence pack 2026": "changed",
        "Map of the wards": "added",
        "Meeting notes": "changed",
        "Old budget": "removed",
    }
    assert [(c.label, c.old, c.new) for c in documents["Evidence pack 2026"].changes] == [
        ("Title", "Evidence pack", "Evidence pack 2026")
    ]
    assert [(c.label, c.old, c.new) for c in documents["Meeting notes"].changes] == [
        ("File", "notes.pdf (PDF)", "notes.pdf (PDF), a different file")
    ]
    assert documents["Map of the wards"].file == "map.pdf (PDF)"
    assert documents["Old budget"].file == "budget.pdf (PDF)"


# --- The page -----------------------------------------------------------------------------------------------
def _page(user, plan, **query) -> str:
    response = signed_in(user).get(f"/plans/{plan.pk}/compare/", query or {"from": "1", "to": "2"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_what_changed_in_sections_actions_and_documents(
    revised, police_officer, probation_officer, probation
):
    first, second = _versions(revised)
    services.plan_section_update(
        section=second.sections.get(title="Policing"),
        body="The police and partners target **stop and search** at the hotspots.",
        by=SYSTEM,
    )
    services.plan_action_add(
        version=second,
        what="Youth diversion scheme",
        owner=probation,
        due_date=timezone.localdate() + timedelta(days=90),
        by=SYSTEM,
    )
    for user in (police_officer, probation_officer):
        page = _page(user, revised)
        assert "Version 1 compared with version 2" in page
        summary = dict(re.findall(r'data-part="([^"]+)">(.*?)</tr>', page, re.S))
        assert set(summary) == {"Sections", "Delivery actions", "Documents"}
        assert re.search(r'data-change="changed">1</td>', summary["Sections"])
        assert re.search(r'data-change="added">1</td>', summary["Delivery actions"])
        assert f'data-view="rendered"><p class="govuk-body">The police {ADDED}and partners</ins>' in page
        assert re.search(r'data-view="source">Policing\s+The police ' + re.escape(ADDED), page)
        assert re.search(
            r'<tr class="govuk-table__row" data-change="added">\s*<th scope="row"[^>]*>Youth diversion', page
        )
        assert "No supporting document was added, removed or changed." in page
        for caption in ("summary-caption", "actions-caption"):  # wide tables scroll in a named region
            assert f'aria-labelledby="{caption}"' in page and f'<caption id="{caption}"' in page


def test_a_change_to_an_action_shows_old_and_new_in_words(revised, police_officer):
    first, second = _versions(revised)
    services.plan_action_update(
        action=second.actions.get(what="Joint supervision of the top 50"), by=SYSTEM, status="in_progress"
    )
    page = _page(police_officer, revised)
    assert re.search(
        r'<strong>Status</strong>: Not started <span aria-hidden="true">→</span>'
        r'<span class="govuk-visually-hidden">, changed to</span> In progress',
        page,
    )


def test_someone_who_may_read_only_the_agreed_version_cannot_compare_it_with_the_draft(revised, outsider):
    first, second = _versions(revised)
    services.plan_section_update(section=second.sections.get(title="Policing"), body="Draft words only.", by=SYSTEM)
    page = _page(outsider, revised)
    assert "Choose two versions of this plan that you can read" in page
    assert "Draft words only" not in page and "Version 1 compared with version 2" not in page


def test_the_comparison_of_a_draft_only_plan_is_not_found_by_an_outsider(plan, outsider):
    assert signed_in(outsider).get(f"/plans/{plan.pk}/compare/", {"from": "1", "to": "1"}).status_code == 404


def test_the_selectors_still_offer_the_comparison():
    assert selectors.versions_compare is versions_compare and selectors.VersionComparison is VersionComparison
