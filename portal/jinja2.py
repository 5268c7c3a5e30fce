"""The Jinja2 environment for the portal's pages, with the GOV.UK Frontend macros."""
from __future__ import annotations

from datetime import date, datetime

from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from .forms_govuk import error_summary_params, field_params


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def gov_date(value, with_time: bool = False) -> str:
    """GOV.UK style: 26 November 2026 (and 2:05pm)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{value.day} {value:%B %Y}"
        if with_time:
            hour = value.hour % 12 or 12
            text += f" at {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"
        return text
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def number(value, decimals: int | None = None) -> str:
    if value is None or value == "":
        return ""
    if decimals is not None:
        value = round(float(value), decimals)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def environment(**options) -> Environment:
    options["loader"] = ChoiceLoader([
        options["loader"],
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
    ])
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)
    env.globals.update(
        url=url,
        static=staticfiles_storage.url,
        field_params=field_params,
        error_summary_params=error_summary_params,
    )
    env.filters.update(gov_date=gov_date, number=number)
    return env
