"""Text in API request bodies, as in the forms: every text field has a size limit, and one that takes a single
line (not marked multi-line: portal/api_base.py MULTI_LINE) refuses line breaks and control characters, naming
the field. A plan title with a line break is refused on the page, by the API and by the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from portal.api_base import JSONTypesMixin, is_multi_line
from targets.plans import services
from targets.plans.models import Plan
from tests.conftest import signed_in
from tests.factories import PLAN_PERIOD, SYSTEM
from tests.portal.test_every_form import _import_everything, _subclasses

REFUSED = "must not contain line breaks or control characters"


def request_serializers() -> list[type]:
    _import_everything()
    return sorted(_subclasses(JSONTypesMixin), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _text_fields():
    for cls in request_serializers():
        for name, field in cls().fields.items():
            target = field.child if isinstance(field, serializers.ListField) else field
            if isinstance(target, serializers.CharField) and not target.read_only:
                yield cls, name, target


def test_the_walk_finds_the_request_bodies():
    names = {cls.__name__ for cls in request_serializers()}
    assert {"PlanCreateSerializer", "CommentAddSerializer", "DataSharingAgreementDraftSerializer"} <= names


def test_every_free_text_field_of_a_request_has_a_size_limit():
    unlimited = [
        f"{cls.__name__}.{name}"
        for cls, name, field in _text_fields()
        if field.max_length is None and not isinstance(field, serializers.SlugField)  # a slug names something
    ]
    assert not unlimited, f"these take text of any length: give them max_length: {unlimited}"


def test_every_single_line_field_of_a_request_refuses_line_breaks_and_control_characters():
    wrong, checked = [], 0
    for cls, name, field in _text_fields():
        label = f"{cls.__name__}.{name}"
        for value in ("a\nb", "a\x1bb", "a\x9fb"):
            try:
                field.run_validation(value)
            except serializers.ValidationError as refused:
                messages = [str(m) for m in (refused.detail if isinstance(refused.detail, list) else [refused.detail])]
                if is_multi_line(field):
                    wrong.append(f"{label} takes several lines but refused {value!r}")
                elif not any(m.endswith(REFUSED) for m in messages):
                    wrong.append(f"{label} refused {value!r} without saying why: {messages}")
            else:
                if not is_multi_line(field):
                    wrong.append(f"{label} took {value!r}")
        checked += not is_multi_line(field)
    assert checked >= 8
    assert not wrong, "\n".join(wrong)


# --- A plan's title --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_plan_title_with_a_line_break_is_refused_by_the_page_the_api_and_the_service(police, police_officer):
    client = signed_in(police_officer)
    day, month, year = PLAN_PERIOD[0].day, PLAN_PERIOD[0].month, PLAN_PERIOD[0].year
    page = client.post(
        "/plans/new/",
        {
            "kind": "delivery",
            "owner": str(police.pk),
            "title": "Violence plan\nBcc: everyone@example.org",
            "period_start-day": day,
            "period_start-month": month,
            "period_start-year": year,
            "period_end-day": PLAN_PERIOD[1].day,
            "period_end-month": PLAN_PERIOD[1].month,
            "period_end-year": PLAN_PERIOD[1].year,
        },
    )
    assert page.status_code == 200 and f"Title {REFUSED}" in page.content.decode()
    api = client.post(
        "/api/v1/plans/",
        {
            "kind": "delivery",
            "owner": police.slug,
            "title": "Violence plan\r\nBcc: everyone@example.org",
            "period_start": PLAN_PERIOD[0].isoformat(),
            "period_end": PLAN_PERIOD[1].isoformat(),
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json() == {"title": [f"Title {REFUSED}"]}
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            kind="delivery",
            title="Violence plan\nBcc: everyone@example.org",
            period_start=PLAN_PERIOD[0],
            period_end=PLAN_PERIOD[1],
            owner=police,
            by=SYSTEM,
        )
    assert refused.value.message_dict == {"title": [f"The title {REFUSED}"]}
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_a_day_or_year_of_a_thousand_billion_billion_is_not_a_real_date_not_an_error(police, police_officer):
    for day, year in (("1" + "0" * 21, "2026"), ("1", "1" + "0" * 21)):
        response = signed_in(police_officer).post(
            "/plans/new/",
            {
                "kind": "delivery",
                "owner": str(police.pk),
                "title": "Violence plan",
                "period_start-day": day,
                "period_start-month": "4",
                "period_start-year": year,
            },
        )
        assert response.status_code == 200
        assert "The start of the period must be a real date" in response.content.decode()
