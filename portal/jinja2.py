"""The Jinja2 environment for the portal's pages, with the GOV.UK Frontend macros."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils.formats import number_format
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from . import formats
from .forms_govuk import error_summary_params, field_params
from .security import STEP_UP_ACTIONS, passkeys_available, user_has_passkey


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def gov_date(value, with_time: bool = False) -> str:
    """The `gov_date` filter: "26 November 2026" (with_time: "26 November 2026 at 2:05pm"), by portal.formats."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return formats.gov_datetime(value) if with_time else formats.gov_date(value)
    if isinstance(value, date):
        return formats.gov_date(value)
    return str(value)


def gov_time(value) -> str:
    """The `gov_time` filter: "2:05pm", "midday", by portal.formats."""
    if isinstance(value, (datetime, time)):
        return formats.gov_time(value)
    return "" if value in (None, "") else str(value)


def money(value) -> str:
    """The `money` filter: "£1,234.56", by portal.formats (a Decimal stays exact)."""
    return formats.money(value)


def number(value, decimals: int | None = None) -> str:
    """The `number` filter: "1,234.50" (grouped in threes, as en-GB writes it)."""
    if value is None or value == "":
        return ""
    if decimals is not None:
        # (what number_format gives for en-GB, without its per-call locale lookups: it runs for every figure)
        return f"{round(float(value), decimals):,.{decimals}f}"
    return number_format(value, use_l10n=True, force_grouping=True)


PASSKEY_SCRIPTS = {
    "auth": "django_otp_webauthn/otp_webauthn_auth.js",
    "register": "django_otp_webauthn/otp_webauthn_register.js",
}


def passkey_config(request, purpose: str = "auth") -> dict:
    """What django-otp-webauthn's render_otp_webauthn_*_scripts tags put in #otp_webauthn_config.

    Render it as `<script type="application/json" id="otp_webauthn_config">{{ ... | tojson }}</script>`:
    the CSP does not execute JSON data blocks, and tojson escapes <, > and & inside them.
    """
    from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

    if purpose not in PASSKEY_SCRIPTS:
        raise ValueError(f"passkey purpose must be one of {sorted(PASSKEY_SCRIPTS)}")
    # NOTE: no passwordless sign-in, so never an autocomplete (conditional UI) field.
    return get_configuration(
        request, {"autocompleteLoginFieldSelector": None, "nextFieldSelector": "input[name='next']"}
    )


def passkey_script(purpose: str = "auth") -> str:
    return staticfiles_storage.url(PASSKEY_SCRIPTS[purpose])


def environment(**options) -> Environment:
    options["loader"] = ChoiceLoader(
        [
            options["loader"],
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)
    env.globals.update(
        url=url,
        static=staticfiles_storage.url,
        field_params=field_params,
        error_summary_params=error_summary_params,
        passkey_config=passkey_config,
        passkey_script=passkey_script,
        passkeys_available=passkeys_available,
        user_has_passkey=user_has_passkey,
        step_up_actions=STEP_UP_ACTIONS,
    )
    env.filters.update(gov_date=gov_date, gov_time=gov_time, number=number, money=money)
    return env
