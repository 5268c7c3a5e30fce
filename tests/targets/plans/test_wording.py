"""The words around a plan's status read as a sentence: no stray space before a comma, no doubled stop."""

from __future__ import annotations

import re

import pytest

from portal.formats import gov_date
from tests.conftest import signed_in
from tests.factories import latest_version, plan_send, plan_sign

from .conftest import version_url

pytestmark = pytest.mark.django_db


INLINE = r"</?(?:a|strong|span|em|b|code|abbr)\b[^>]*>"


def _words(response) -> str:
    """The page's words as a browser runs them together: inline tags join their words, others part them."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    body = re.sub(INLINE, "", body)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_an_agreed_versions_print_page_says_when_it_was_agreed_in_one_sentence(plan, police, probation, police_officer):
    plan_send(plan)
    for partner in (police, probation):
        plan_sign(plan, partner)
    version = latest_version(plan)
    client = signed_in(police_officer)
    for page in (client.get(version_url(plan, rest="print/")), client.get(version_url(plan))):
        words = _words(page)
        assert " ," not in words and not re.search(r"[^.]\.\.(?!\.)", words), re.findall(r".{40} ,.{20}", words)
    printed = _words(client.get(version_url(plan, rest="print/")))
    assert f"Status Agreed on {gov_date(version.agreed_at)} by every required partner" in printed


def test_reasons_ending_in_a_full_stop_are_not_given_a_second(plan, police, probation):
    from portal.models import AuditEvent, Notification
    from tests.factories import plan_return

    plan_send(plan)
    plan_return(plan, probation, reasons="Add the funding, then send it again.")
    written = [e.summary for e in AuditEvent.objects.filter(action__startswith="plan.")]
    written += [n.body for n in Notification.objects.filter(kind="plan.returned")]
    assert any("send it again." in text for text in written)
    assert not [text for text in written if "again.." in text]
