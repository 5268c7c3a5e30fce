"""People, indicators and figures for the data-sharing tests."""

from __future__ import annotations

import pytest

from partners.models import Area, Partner, Role
from tests.factories import AreaFactory, add_figures, make_indicator, make_partner, make_person


@pytest.fixture
def birmingham(db) -> Area:
    return AreaFactory(code="E08000025", name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY)


@pytest.fixture
def council(birmingham) -> Partner:
    return make_partner(
        "birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council", areas=[birmingham]
    )


@pytest.fixture
def council_officer(council):
    return make_person(council, Role.OFFICER, "council.officer")


@pytest.fixture
def council_signatory(council):
    return make_person(council, Role.SIGNATORY, "council.signatory")


@pytest.fixture
def probation_signatory(probation):
    return make_person(probation, Role.SIGNATORY, "probation.signatory")


@pytest.fixture
def violence(police, birmingham):
    """SV-1000, provided by the police, with a total and a breakdown by sex for Birmingham."""
    indicator = make_indicator("SV-1000", police)
    add_figures(indicator, birmingham)
    return indicator


@pytest.fixture
def neighbourhood(police, birmingham):
    indicator = make_indicator("NC-1000", police)
    add_figures(indicator, birmingham, total="3.1000")
    return indicator
