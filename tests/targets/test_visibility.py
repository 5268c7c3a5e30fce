"""Who sees which figures and returns, through the selectors."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from portal import permissions
from targets import selectors, services
from targets.models import DataReturn, Indicator, IndicatorGroupObjectPermission
from tests.factories import SYSTEM, observe

from .conftest import BIRMINGHAM, FORCE


@pytest.fixture
def figures(sv, reoffending, areas):
    """Police figures (a total and a breakdown) and a probation figure."""
    return {
        "police_total": observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "1.2"),
        "police_split": observe(
            sv,
            areas[BIRMINGHAM],
            date(2025, 4, 1),
            date(2025, 4, 30),
            "0.5",
            key="sex=Female",
            breakdown={"sex": "Female"},
        ),
        "probation_total": observe(reoffending, areas[FORCE], date(2025, 4, 1), date(2025, 6, 30), "25"),
    }


def ids(rows) -> set[int]:
    return {row.pk for row in rows}


def test_a_partner_sees_only_its_own_figures(figures, police_officer, probation_officer):
    assert ids(selectors.observations_visible_to(user=police_officer)) == {
        figures["police_total"].pk,
        figures["police_split"].pk,
    }
    assert ids(selectors.observations_visible_to(user=probation_officer)) == {figures["probation_total"].pk}


def test_the_pcc_office_sees_every_figure(figures, pcc_officer):
    assert ids(selectors.observations_visible_to(user=pcc_officer)) == {f.pk for f in figures.values()}


def test_a_board_member_outside_the_provider_sees_no_figures(figures, board_member):
    assert ids(selectors.observations_visible_to(user=board_member)) == set()


def test_breakdowns_need_their_own_permission(figures, sv, probation, probation_officer):
    # As a data-sharing agreement at aggregate level will: totals, not breakdowns.
    permissions.grant("view_indicator_data", probation.group, sv)
    assert ids(selectors.observations_visible_to(user=probation_officer)) == {
        figures["police_total"].pk,
        figures["probation_total"].pk,
    }
    permissions.grant("view_indicator_breakdowns", probation.group, sv)
    assert figures["police_split"].pk in ids(selectors.observations_visible_to(user=probation_officer))


def test_filters_narrow_the_figures(figures, pcc_officer):
    assert ids(selectors.observations_visible_to(user=pcc_officer, filters={"indicator": "sv-1000"})) == {
        figures["police_total"].pk,
        figures["police_split"].pk,
    }
    assert ids(selectors.observations_visible_to(user=pcc_officer, filters={"breakdown": "total"})) == {
        figures["police_total"].pk,
        figures["probation_total"].pk,
    }
    assert ids(selectors.observations_visible_to(user=pcc_officer, filters={"breakdown": "sex"})) == {
        figures["police_split"].pk
    }
    assert ids(selectors.observations_visible_to(user=pcc_officer, filters={"area": FORCE})) == {
        figures["probation_total"].pk
    }
    assert ids(selectors.observations_visible_to(user=pcc_officer, filters={"period_from": date(2025, 5, 1)})) == set()


def test_indicator_figures_are_shown_only_where_shared(figures, police_officer, probation_officer):
    mine = selectors.indicator_get(user=police_officer, code="SV-1000")
    assert (mine.figures_shared, mine.breakdowns_shared) == (True, True)
    assert ids(mine.latest) == {figures["police_total"].pk}
    theirs = selectors.indicator_get(user=probation_officer, code="SV-1000")
    assert (theirs.figures_shared, theirs.latest) == (False, [])
    assert theirs.hidden_message


def test_data_returns_are_visible_to_their_partner_and_the_pcc_office(
    police, probation, police_officer, probation_officer, pcc_officer
):
    def make(partner):
        data_return = DataReturn.objects.create(
            partner=partner, file_path="x.csv", original_filename="x.csv", kind="csv", sha256="0" * 64
        )
        permissions.grant("view_datareturn", partner.group, data_return)
        return data_return

    police_return, probation_return = make(police), make(probation)
    assert ids(selectors.data_returns_visible_to(user=police_officer)) == {police_return.pk}
    assert ids(selectors.data_returns_visible_to(user=probation_officer)) == {probation_return.pk}
    assert ids(selectors.data_returns_visible_to(user=pcc_officer)) == {police_return.pk, probation_return.pk}
    with pytest.raises(Http404):
        selectors.data_return_get(user=probation_officer, pk=police_return.pk)
    assert selectors.data_return_get(user=pcc_officer, pk=police_return.pk) == police_return


def test_deleting_an_indicator_leaves_no_permissions(sv, police, pcc_officer):
    assert IndicatorGroupObjectPermission.objects.filter(content_object=sv).count() == 2
    services.indicator_delete(indicator=sv, by=pcc_officer)
    assert not Indicator.objects.filter(code="SV-1000").exists()
    assert IndicatorGroupObjectPermission.objects.count() == 0


def test_the_provider_is_granted_both_indicator_permissions(sv, police):
    assert set(
        IndicatorGroupObjectPermission.objects.filter(content_object=sv, group=police.group).values_list(
            "permission__codename", flat=True
        )
    ) == {"view_indicator_data", "view_indicator_breakdowns"}


def test_only_target_managers_define_indicators_and_targets(police, police_officer, areas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.indicator_create(
            code="X",
            name="X",
            unit=Indicator.Unit.COUNT,
            polarity=Indicator.Polarity.LOWER_IS_BETTER,
            frequency=Indicator.Frequency.MONTHLY,
            geography="force_area",
            provider=police,
            by=police_officer,
        )
    with pytest.raises(PermissionDenied):
        services.priority_create(title="P", slug="p", by=police_officer)


def test_the_template_has_an_example_row_per_indicator(police, sv, homicides):
    header, rows = selectors.data_return_template(partner=police, today=date(2025, 5, 15))
    assert header[:5] == ["indicator_code", "area_code", "period_start", "period_end", "value"]
    assert [r[:4] for r in rows] == [
        ["HOM", FORCE, "2025-04-01", "2025-04-30"],
        ["SV-1000", BIRMINGHAM, "2025-04-01", "2025-04-30"],
    ]


def test_the_partner_page_section_lists_remits_and_owned_targets(police, sv, areas, probation_officer):
    from partners.selectors import partner_sections

    services.remit_add(partner=police, title="Custody suites", by=SYSTEM)
    priority = services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)
    services.target_create(
        priority=priority,
        indicator=sv,
        area=areas[FORCE],
        owner=police,
        baseline_value=1,
        baseline_period_start=date(2024, 4, 1),
        baseline_period_end=date(2025, 3, 31),
        target_value=0.9,
        target_date=date(2026, 3, 31),
        by=SYSTEM,
    )
    section = next(
        s
        for s in partner_sections(user=probation_officer, partner=police)
        if s["template"] == "targets/_partner_remits_targets.html"
    )
    assert [r.title for r in section["remits"]] == ["Custody suites"]
    assert [(t.indicator.code, t.status_label, t.figures_shared) for t in section["targets"]] == [
        ("SV-1000", "No data", False)
    ]


def test_the_start_page_lists_returns_waiting_for_the_officer(police, police_officer, probation_officer):
    from portal.home import home_items_for

    ready = DataReturn.objects.create(
        partner=police,
        file_path="x.csv",
        original_filename="april.csv",
        kind="csv",
        sha256="0" * 64,
        status=DataReturn.Status.VALID,
    )
    permissions.grant("view_datareturn", police.group, ready)
    section = next(s for s in home_items_for(user=police_officer) if s.title == "Data returns")
    assert [i["text"] for i in section.items] == ["april.csv (West Midlands Police): check the changes and apply it"]
    other = [s for s in home_items_for(user=probation_officer) if s.title == "Data returns"]
    assert other and other[0].items == []
