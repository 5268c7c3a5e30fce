"""Every form class in the project, rendered as its page renders it: a multiple choice is always a
GOV.UK checkboxes component (never radios, which let a person pick one answer only).

The forms are found by importing every module of the project's apps, so a new form class is
walked without being listed here. One that needs constructor arguments gets them from RECIPES;
a new one that cannot be built with none fails until a recipe is added.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.template import engines
from django.utils import timezone

from partners.models import Partner, Role
from portal.forms_govuk import field_params
from tests.factories import make_indicator, make_partner, make_person

PROJECT_APPS = ["portal", "partners", "targets", "callins", "funding"]


def _import_everything() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_form_classes() -> list[type]:
    _import_everything()
    found = {cls for cls in _subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in PROJECT_APPS}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _recipes(police, council_a, council_b, yjs):
    """Constructor arguments for the forms that need them (what their views pass)."""
    providers = [police, council_a]
    return {
        "NotificationEmailForm": [dict(user=make_person(police, Role.OFFICER, "form.walker"))],
        "DsaForm": [dict(providers=[police]), dict(providers=providers), dict(fixed_provider=police)],
        "DsaReasonForm": [dict(verb="suspending"), dict(verb="resuming", required=False)],
        "DsaSignForm": [dict(partners=[police]), dict(partners=providers)],
        "DataReturnUploadForm": [dict(partners=[police]), dict(partners=providers)],
        "IndicatorFilterForm": [dict(providers=providers)],
        "DisparityFilterForm": [dict(result=_disparities(police))],
        "DashboardFilterForm": [
            dict(choices={"areas": [], "partners": providers, "priorities": []}, today=timezone.localdate())
        ],
        # the funding forms' choices, as their views give them (a target and an area, so each box renders)
        "ApplicationForm": [dict(organisations=[], programmes=[], targets=_targets(police), areas=_areas())],
        "ProgrammeForm": [dict(partners=providers, targets=_targets(police))],
        "PlanEditForm": [
            dict(plan=_plan_leaving(police, council_a, council_b), leaving=[council_a], heirs=[police, council_b])
        ],
    }


class _Choice:
    """A target or an area as a form offers it: its key and its words."""

    def __init__(self, pk: int, words: str):
        self.pk, self.words = pk, words

    def __str__(self) -> str:
        return self.words


def _targets(police):
    return [_Choice(1, "Reduce reoffending"), _Choice(2, "Cut repeat victimisation")]


def _areas():
    return [_Choice(1, "Birmingham"), _Choice(2, "Coventry")]


def _disparities(police):
    """What the disparities page gives its filter form: the areas and periods with figures (none here)."""
    from types import SimpleNamespace

    from targets.models import Indicator

    return SimpleNamespace(indicator=Indicator.objects.get(code="SV-1000"), areas=[], periods=[])


def _plan_leaving(police, council_a, council_b):
    """A police plan whose contributor council_a writes a section: removing it asks who takes it over."""
    from tests.factories import make_plan

    plan = make_plan(police, [council_a, council_b])
    council_a.sections, council_a.actions = 1, 0
    return plan


def _is_multiple(field: forms.Field) -> bool:
    return isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)) or isinstance(
        field.widget, forms.SelectMultiple
    )


def _render(bound) -> str:
    template = engines["jinja2"].from_string('{% from "_forms.html" import field %}{{ field(bound) }}')
    return template.render({"bound": bound})


@pytest.fixture
def instances(db):
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    council_a = make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council")
    council_b = make_partner("coventry-council", Partner.Kind.LOCAL_AUTHORITY, "Coventry City Council")
    yjs = make_partner("birmingham-yjs", Partner.Kind.YOUTH_JUSTICE, "Birmingham Youth Justice Service")
    make_indicator("SV-1000", police)
    make_indicator("HOM-1", police)
    from callins.models import CallInGround

    CallInGround.objects.create(name="Value for money")  # (the call-in form offers the grounds kept)
    recipes = _recipes(police, council_a, council_b, yjs)
    built = []
    for cls in project_form_classes():
        kwargs_list = recipes.get(cls.__name__)
        if kwargs_list is None:
            try:
                built.append(cls())
            except TypeError as exc:
                pytest.fail(f"{cls.__module__}.{cls.__name__} needs arguments ({exc}): add a recipe to RECIPES")
        else:
            built += [cls(**kwargs) for kwargs in kwargs_list]
    return built


def test_the_walk_finds_the_forms_people_fill_in(instances):
    names = {type(form).__name__ for form in instances}
    assert {"DsaForm", "DataReturnUploadForm", "SignInForm", "AuditFilterForm", "SecurityFilterForm"} <= names


def test_every_multiple_choice_renders_as_checkboxes_and_every_single_choice_does_not(instances):
    wrong = []
    checked = 0
    for form in instances:
        for name, field in form.fields.items():
            bound = form[name]
            params = field_params(bound)
            html = _render(bound)
            label = f"{type(form).__name__}.{name}"
            if _is_multiple(field):
                checked += 1
                if params["_kind"] != "checkboxes" or 'type="radio"' in html or 'type="checkbox"' not in html:
                    wrong.append(f"{label} is a multiple choice but renders as {params['_kind']}")
            elif isinstance(field.widget, forms.RadioSelect) and 'type="checkbox"' in html:
                wrong.append(f"{label} takes one answer but renders as checkboxes")
    assert checked >= 3, "the walk should meet the agreement form's multiple choices"
    assert not wrong, "\n".join(wrong)


def test_the_agreement_form_offers_whole_groups_of_partners_without_javascript(db):
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    for n in range(3):
        make_partner(f"council-{n}", Partner.Kind.LOCAL_AUTHORITY, f"Council {n}")
    make_partner("vrp", Partner.Kind.VIOLENCE_REDUCTION, "Violence Reduction Partnership")
    from partners.forms import DsaForm

    form = DsaForm(fixed_provider=police)
    assert [label for _, label in form.fields["recipient_groups"].choices] == ["All 3 councils"]
    html = _render(form["recipient_groups"])
    assert re.search(r'type="checkbox"[^>]*value="local_authority"', html)


def test_choosing_all_councils_makes_every_council_a_recipient_but_never_the_provider(db):
    from partners.forms import DsaForm

    council = make_partner("council-0", Partner.Kind.LOCAL_AUTHORITY, "Council 0")
    others = [make_partner(f"council-{n}", Partner.Kind.LOCAL_AUTHORITY, f"Council {n}") for n in (1, 2)]
    make_indicator("ASB-1", council)
    form = DsaForm({"recipient_groups": ["local_authority"]}, fixed_provider=council)
    form.is_valid()
    assert "recipients" not in form.errors
    assert sorted(p.slug for p in form.cleaned_data["recipients"]) == sorted(p.slug for p in others)


def test_no_recipient_and_no_group_says_what_to_do(db):
    from partners.forms import DsaForm

    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    form = DsaForm({}, fixed_provider=police)
    assert not form.is_valid()
    assert form.errors["recipients"] == ["Select at least one recipient"]


def test_every_form_speaks_govuk_and_never_leaves_djangos_own_wording(instances):
    from portal.forms_govuk import GovukForm, django_stock_messages

    not_govuk = sorted({type(f).__name__ for f in instances if not isinstance(f, GovukForm)})
    assert not not_govuk, f"these forms do not inherit portal.forms_govuk.GovukForm: {not_govuk}"
    left = []
    for form in instances:
        form.full_clean()  # unbound: nothing is cleaned, but the messages are set as before any cleaning
        for name, field in form.fields.items():
            stock = django_stock_messages(field)
            for code, message in field.error_messages.items():
                if code == "required" and not field.required:
                    continue  # never shown
                if code in stock and str(message) == str(stock[code]) and code not in ("incomplete", "overflow"):
                    left.append(f"{type(form).__name__}.{name}: {code} = {message!r}")
            if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
                left.append(f"{type(form).__name__}.{name}: no max_length message")
    assert not left, "\n".join(left)


@pytest.mark.parametrize(
    "data,expected",
    [
        (
            {"title": "t" * 1000, "body": "b"},
            {"title": ["Section title must be 200 characters or fewer"]},
        ),
        (
            {"title": "ok", "body": "a\x00b"},
            {"body": ["Text has hidden control characters in it: type it again, not pasted"]},
        ),
    ],
)
def test_django_wording_is_replaced_by_messages_that_name_the_answer(db, data, expected):
    from targets.plans.forms import SectionForm

    form = SectionForm(data)
    assert not form.is_valid()
    assert form.errors == expected


def test_a_choice_not_on_the_list_is_told_to_choose_from_it(db):
    from targets.plans.forms import ActionForm

    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    form = ActionForm(
        {
            "what": "Patrols",
            "owner": "999999",
            "due_date-day": "1",
            "due_date-month": "2",
            "due_date-year": "2027",
            "status": "late",
        },
        partners=[police],
    )
    assert not form.is_valid()
    assert form.errors["owner"] == ["Select one of the options from the list"]
    assert form.errors["status"] == ["Select one of the options from the list"]


# --- Text: a size limit on every answer, one line where a line is asked for -------------------------------
def _text_fields(instances):
    for form in instances:
        form.full_clean()  # unbound: the checks are put on the fields as before any cleaning
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                yield form, name, field


def test_every_text_answer_has_a_size_limit(instances):
    unlimited = [
        f"{type(form).__name__}.{name}" for form, name, field in _text_fields(instances) if not field.max_length
    ]
    assert not unlimited, f"these text answers take any length: give them max_length: {unlimited}"


def test_every_single_line_answer_refuses_line_breaks_and_control_characters_naming_it(instances):
    from portal.forms_govuk import is_single_line

    wrong, checked = [], 0
    for form, name, field in _text_fields(instances):
        label = f"{type(form).__name__}.{name}"
        for value in ("a\nb", "a\rb", "a\tb", "a\x1bb", "a\x85b"):
            try:
                field.clean(value)
            except forms.ValidationError as refused:
                if not is_single_line(field):
                    wrong.append(f"{label} is a textarea but refused {value!r}: {refused.messages}")
                elif not any(
                    m.endswith("must not contain line breaks or control characters") for m in refused.messages
                ):
                    wrong.append(f"{label} refused {value!r} without saying why: {refused.messages}")
            else:
                if is_single_line(field):
                    wrong.append(f"{label} took {value!r}")
        checked += is_single_line(field)
    assert checked >= 10, "the walk should meet the titles, names and searches"
    assert not wrong, "\n".join(wrong)


def test_a_single_line_answer_names_itself_in_the_refusal(db):
    from targets.plans.forms import PlanFilterForm, SectionForm

    form = SectionForm({"title": "Two\nlines", "body": "Any\nnumber\nof lines"})
    assert not form.is_valid()
    assert form.errors == {"title": ["Section title must not contain line breaks or control characters"]}
    search = PlanFilterForm({"q": "a\x00b"})
    assert not search.is_valid() and "q" in search.errors


def test_every_date_answer_says_a_day_or_year_too_big_is_not_a_real_date(instances):
    from portal.fields import GovDateField

    wrong, checked = [], 0
    for form in instances:
        for name, field in form.fields.items():
            if not isinstance(field, GovDateField):
                continue
            checked += 1
            for day, month, year in (("1" * 22, "1", "2027"), ("1", "1", "1" * 22), ("1", "1" * 22, "2027")):
                try:
                    field.clean([day, month, year])
                except forms.ValidationError as refused:
                    if not refused.messages[0].endswith("must be a real date"):
                        wrong.append(f"{type(form).__name__}.{name}: {refused.messages}")
                else:
                    wrong.append(f"{type(form).__name__}.{name} took {day}/{month}/{year}")
    assert checked >= 5, "the walk should meet the plan, action and agreement dates"
    assert not wrong, "\n".join(wrong)
