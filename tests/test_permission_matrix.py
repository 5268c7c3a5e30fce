"""Who gets what from every route: each demo role and an anonymous visitor, on objects of the
viewer's own partner, of a partner sharing data with it (an active agreement) and of one that
does not share with it.

The routes are walked from the URL configuration, so a new route without an entry here fails
`test_every_route_has_an_expected_outcome`. Add an entry to EXPECTED for it (and, if it takes
an object id, say which kind of object in OBJECT_KINDS' terms).

The world: the viewers' partner is a council ("own"); the police share an indicator with it
("sharing"); probation shares nothing with it ("other"). The officer, signatory and board member
sit at the council; the PCC officer and the PCC at the Office of the PCC, whose all-rows
permissions let them see every partner's rows.

Outcomes, by role in this order: officer | signatory | board member | PCC officer | PCC | anonymous.
A role's outcome is one status for every object, or three (own,sharing,other) for routes that
take an object. "login" means a redirect to sign-in; 302 any other redirect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from partners.models import Area, Partner, Role
from partners.services import api_token_create
from portal import permissions
from targets import services as target_services
from targets.models import DataReturn, Observation
from targets.plans.models import PlanComment
from tests.conftest import signed_in
from tests.factories import (
    SYSTEM,
    AreaFactory,
    add_figures,
    make_dsa,
    make_indicator,
    make_partner,
    make_person,
    make_plan,
    pdf_file,
)
from tests.matrix_accountability import PAGES as ACCOUNTABILITY_PAGES
from tests.matrix_disparities import PAGES as DISPARITIES_PAGES
from tests.matrix_funding_api import API as FUNDING_API
from tests.matrix_funding_pages import PAGES as FUNDING_PAGES
from tests.matrix_funding_public import PUBLIC as FUNDING_PUBLIC
from tests.matrix_funding_world import build as build_funding
from tests.matrix_powers_api import API_AND_REGISTER as POWERS_API
from tests.matrix_powers_pages import PAGES as POWERS_PAGES
from tests.portal.test_sign_in import _concrete, all_routes

ROLES = ["officer", "signatory", "board", "pcc_officer", "pcc", "anonymous"]
VARIANTS = ["own", "sharing", "other"]
# Objects that belong to one person: "own" is the viewer's, "sharing" and "other" are other people's.
PER_PERSON_KINDS = {"passkey", "notification"}


@dataclass(frozen=True)
class E:
    """What a route gives each role. kind: the object its URL names (None for none); method: GET or POST."""

    outcomes: str
    kind: str | None = None
    method: str = "get"
    data: dict | None = None  # a JSON body (the API's writes): enough to reach the service that decides


# Shorthands for common rows.
EVERYONE = "200 | 200 | 200 | 200 | 200 | login"
PUBLIC = "200 | 200 | 200 | 200 | 200 | 200"
PCC_OFFICE = "403 | 403 | 403 | 200 | 200 | login"
OFFICER_ONLY = "200 | 403 | 403 | 403 | 403 | login"
API_EVERYONE = "200 | 200 | 200 | 200 | 200 | 401"
API_PARTIES = "200,200,404 | 200,200,404 | 200,200,404 | 200 | 200 | 401"
# Own and sharing partners' rows seen by the council's roles, every row by the PCC office.
PARTIES = "200,200,404 | 200,200,404 | 200,200,404 | 200 | 200 | login"
OWN_ONLY = "200,404,404 | 200,404,404 | 200,404,404 | 200 | 200 | login"
SOON = (date.today() + timedelta(days=30)).isoformat()
# A plan's runners: the owner's officers and board members (none of them the PCC office for partners' plans).
PLAN_RUNNERS = "200,403,404 | 403,403,404 | 200,403,404 | 403 | 403 | login"

EXPECTED: dict[str, E] = {
    # --- Sign-in and the public pages ---------------------------------------------------------
    "portal:home": E(EVERYONE),
    "portal:login": E("302 | 302 | 302 | 302 | 302 | 200"),  # signed in: on to the start page
    "portal:otp-verify": E("200 | 200 | 200 | 200 | 200 | login"),
    "portal:otp-setup": E("302 | 302 | 302 | 302 | 302 | login"),  # they have an app already: verify
    "portal:recovery-codes": E("302 | 302 | 302 | 302 | 302 | login"),  # none waiting to be shown
    "portal:step-up": E(EVERYONE),
    "portal:logout": E("405 | 405 | 405 | 405 | 405 | login"),  # POST only
    "portal:signed-out": E(PUBLIC),
    "portal:session-extend": E("405 | 405 | 405 | 405 | 405 | login"),  # POST only
    "portal:accessibility": E(PUBLIC),
    "portal:privacy": E(PUBLIC),
    "portal:cookies": E(PUBLIC),
    "portal:healthz": E(PUBLIC),
    # the scraper's, with its bearer token; no token is configured here, so it does not exist
    "portal:metrics": E("404 | 404 | 404 | 404 | 404 | 404"),
    "portal:favicon": E(PUBLIC),
    "portal:passkeys": E(EVERYONE),
    "portal:passkey-remove": E(
        "302,404,404 | 302,404,404 | 302,404,404 | 302,404,404 | 302,404,404 | login", kind="passkey", method="post"
    ),
    # everyone's own notifications; another person's is 404 whoever asks
    "portal:notifications": E(EVERYONE),
    "portal:notification-open": E(
        "302,404,404 | 302,404,404 | 302,404,404 | 302,404,404 | 302,404,404 | login", kind="notification"
    ),
    "portal:notifications-mark-all-read": E("302 | 302 | 302 | 302 | 302 | login", method="post"),
    "portal:notification-settings": E(EVERYONE),
    "otp_webauthn:credential-registration-begin": E("405 | 405 | 405 | 405 | 405 | 401"),
    "otp_webauthn:credential-registration-complete": E("405 | 405 | 405 | 405 | 405 | 401"),
    # passkey sign-in: open after the password, before the second factor; never to anonymous visitors
    "otp_webauthn:credential-authentication-begin": E("405 | 405 | 405 | 405 | 405 | 401"),
    "otp_webauthn:credential-authentication-complete": E("405 | 405 | 405 | 405 | 405 | 401"),
    "otp_webauthn:js-i18n-catalog": E("200 | 200 | 200 | 200 | 200 | 401"),
    # --- The PCC office's pages ----------------------------------------------------------------
    "portal:audit-log": E(PCC_OFFICE),
    "portal:security-log": E(PCC_OFFICE),
    "portal:emails-not-sent": E(PCC_OFFICE),
    # the Commissioner can do whatever the PCC office's officers can
    "portal:account-unlock": E("403 | 403 | 403 | 302 | 302 | login", method="post"),
    "portal:device-reset": E(PCC_OFFICE, kind="user"),
    "partners:tokens": E(PCC_OFFICE),
    "partners:token-create": E(PCC_OFFICE),
    "partners:token-revoke": E("403 | 403 | 403 | 302 | 302 | login", kind="token", method="post"),
    # --- Partners --------------------------------------------------------------------------------
    "partners:list": E(EVERYONE),
    "partners:detail": E(EVERYONE, kind="partner"),
    "partners:my-account": E(EVERYONE),
    # --- Data-sharing agreements (all three are active) -----------------------------------------
    "partners:dsa-list": E(EVERYONE),
    "partners:dsa-matrix": E(EVERYONE),
    "partners:dsa-create": E(OFFICER_ONLY),
    "partners:dsa-detail": E(PARTIES, kind="dsa"),
    # only the provider's officers change drafts; these are active, so back to the agreement
    "partners:dsa-edit": E("302,403,404 | 403,403,404 | 403,403,404 | 403 | 403 | login", kind="dsa"),
    "partners:dsa-send": E("302,403,404 | 403,403,404 | 403,403,404 | 403 | 403 | login", kind="dsa"),
    "partners:dsa-delete": E("302,403,404 | 403,403,404 | 403,403,404 | 403 | 403 | login", kind="dsa"),
    # nothing awaits a signature: back to the agreement for whoever may see it
    "partners:dsa-sign": E("302,302,404 | 302,302,404 | 302,302,404 | 302 | 302 | login", kind="dsa"),
    # the provider's officers and signatories, and the PCC office
    "partners:dsa-suspend": E("200,403,404 | 200,403,404 | 403,403,404 | 200 | 200 | login", kind="dsa"),
    # revoking is for good: the provider's signatory or the Commissioner (officers may only suspend)
    "partners:dsa-revoke": E("403,403,404 | 200,403,404 | 403,403,404 | 403 | 200 | login", kind="dsa"),
    "partners:dsa-resume": E("302,403,404 | 302,403,404 | 403,403,404 | 302 | 302 | login", kind="dsa"),
    # --- Priorities, indicators and targets (definitions and status words go to every role) -----
    "targets:priorities": E(EVERYONE),
    "targets:priority": E(EVERYONE, kind="priority"),
    "targets:indicators": E(EVERYONE),
    "targets:indicator": E(EVERYONE, kind="indicator"),
    # the board's dashboard: everyone signed in (status words for all; figures only where shared)
    "targets:dashboard": E(EVERYONE),
    "targets:dashboard-export": E(EVERYONE, kind="fmt"),
    "targets:board-pack": E(EVERYONE),
    "targets:board-pack-pdf": E(EVERYONE),
    "targets:target": E(EVERYONE, kind="target"),
    # --- Data returns (a partner's own; every one for the PCC office; all three are applied) ----
    "targets:returns": E(EVERYONE),
    "targets:data-returns": E(EVERYONE),
    "targets:data-return-upload": E(OFFICER_ONLY),
    "targets:data-return-template": E(OFFICER_ONLY, kind="fmt"),
    "targets:data-return": E(OWN_ONLY, kind="data_return"),
    "targets:data-return-progress": E(
        "302,404,404 | 302,404,404 | 302,404,404 | 302 | 302 | login", kind="data_return"
    ),
    "targets:data-return-report": E(OWN_ONLY, kind="data_return"),
    "targets:data-return-revisions": E(OWN_ONLY, kind="data_return"),
    "targets:data-return-apply": E("302,404,404 | 403,404,404 | 403,404,404 | 403 | 403 | login", kind="data_return"),
    "targets:data-return-applied": E(OWN_ONLY, kind="data_return"),
    # --- Plans: own, the council's draft (the police contribute); sharing, an agreed police plan the
    # council contributed to; other, probation's draft. Drafts: the owner, contributors and the PCC office;
    # agreed plans: everyone. A locked (agreed) version sends changes back to it with a message (302).
    "targets:plans": E(EVERYONE),
    "targets:plan-create": E("200 | 403 | 200 | 200 | 200 | login"),  # the board's own plans: the PCC office
    "targets:plan": E(PARTIES, kind="plan"),
    "targets:plan-compare": E(PARTIES, kind="plan"),
    "targets:plan-history": E(PARTIES, kind="plan"),
    # A partner's own plans are run by that partner alone: the PCC office runs the board's plans, not the
    # partners' (tests/targets/plans/test_who_may.py has the board's plans).
    "targets:plan-edit": E("200,403,404 | 403,403,404 | 200,403,404 | 403 | 403 | login", kind="plan"),
    # a version is open already (own): back to the plan
    "targets:plan-version-start": E(
        "302,403,404 | 403,403,404 | 302,403,404 | 403 | 403 | login", kind="plan", method="post"
    ),
    "targets:plan-version": E(PARTIES, kind="plan_version"),
    "targets:plan-version-print": E(PARTIES, kind="plan_version"),
    "targets:plan-version-pdf": E(PARTIES, kind="plan_version"),
    "targets:plan-attachment": E(PARTIES, kind="plan_attachment"),
    # the owner's officers and board members
    "targets:plan-version-send": E(PLAN_RUNNERS, kind="plan_version"),
    "targets:plan-section-add": E(PLAN_RUNNERS, kind="plan_version"),
    "targets:plan-action-add": E(PLAN_RUNNERS, kind="plan_version"),
    "targets:plan-attachment-add": E(PLAN_RUNNERS, kind="plan_version"),
    "targets:plan-version-note": E(PLAN_RUNNERS, kind="plan_version"),
    # a section: only its partner's officers write it (the council's section of each plan; probation's)
    "targets:plan-section-edit": E(
        "200,302,404 | 403,302,404 | 403,302,404 | 403,302,403 | 403,302,403 | login", kind="plan_section"
    ),
    # an action: its partner's officers, or whoever runs the plan
    "targets:plan-action-edit": E(
        "200,302,404 | 403,302,404 | 200,302,404 | 403,302,403 | 403,302,403 | login", kind="plan_action"
    ),
    # progress is recorded on the agreed plan (sharing: the council's action) by the officers of the
    # partner that does it; on a draft, back to the version with a message
    "targets:plan-action-progress": E(
        "302,200,404 | 302,403,404 | 302,403,404 | 302,403,302 | 302,403,302 | login", kind="plan_action"
    ),
    # a thread is resolved by its author, the section's writers or the plan's runners, while the version is open
    "targets:plan-comment-resolve": E(
        "302,403,404 | 403,403,404 | 302,403,404 | 403 | 403 | login", kind="plan_comment", method="post"
    ),
    # no comment in the POST: back to the section with the message; a draft unseen: 404
    "targets:plan-comment-add": E(
        "302,302,404 | 302,302,404 | 302,302,404 | 302 | 302 | login", kind="plan_section", method="post"
    ),
    # own: the council's sign-off, waiting; sharing: signed already (back to the version); other: probation's
    "targets:plan-signoff-sign": E("403,403,404 | 200,302,404 | 403,403,404 | 403 | 403 | login", kind="plan_signoff"),
    "targets:plan-signoff-return": E(
        "403,403,404 | 200,302,404 | 403,403,404 | 403 | 403 | login", kind="plan_signoff"
    ),
    # --- API -----------------------------------------------------------------------------------
    "api:api-root": E(API_EVERYONE),
    "api:schema": E(API_EVERYONE),
    "api:docs": E(API_EVERYONE),
    "api:me": E(API_EVERYONE),
    "api:partner-list": E(API_EVERYONE),
    "api:partner-detail": E(API_EVERYONE, kind="partner"),
    "api:sharing-agreement-list": E(API_EVERYONE),
    "api:sharing-agreement-detail": E("200,200,404 | 200,200,404 | 200,200,404 | 200 | 200 | 401", kind="dsa"),
    # POSTs without a body: refused (403/404), or let through to the service, which says what is
    # missing or wrong (400: already sent, not suspended, no reason given)
    "api:sharing-agreement-send": E(
        "400,403,404 | 403,403,404 | 403,403,404 | 403 | 403 | 401", kind="dsa", method="post"
    ),
    "api:sharing-agreement-sign": E(
        "403,403,404 | 403,403,404 | 403,403,404 | 403 | 403 | 401", kind="dsa", method="post"
    ),
    "api:sharing-agreement-suspend": E(
        "400,403,404 | 400,403,404 | 403,403,404 | 400 | 400 | 401", kind="dsa", method="post"
    ),
    "api:sharing-agreement-resume": E(
        "400,403,404 | 400,403,404 | 403,403,404 | 400 | 400 | 401", kind="dsa", method="post"
    ),
    "api:sharing-agreement-revoke": E(
        "403,403,404 | 400,403,404 | 403,403,404 | 403 | 400 | 401", kind="dsa", method="post"
    ),
    "api:priority-list": E(API_EVERYONE),
    "api:priority-detail": E(API_EVERYONE, kind="priority"),
    "api:indicator-list": E(API_EVERYONE),
    "api:indicator-detail": E(API_EVERYONE, kind="indicator"),
    "api:target-list": E(API_EVERYONE),
    "api:target-detail": E(API_EVERYONE, kind="target"),
    "api:observation-list": E(API_EVERYONE),
    "api:datareturn-list": E(API_EVERYONE),
    "api:datareturn-detail": E("200,404,404 | 200,404,404 | 200,404,404 | 200 | 200 | 401", kind="data_return"),
    # already applied (400) for its own officer; other roles may not apply
    "api:datareturn-apply": E(
        "400,404,404 | 403,404,404 | 403,404,404 | 403 | 403 | 401", kind="data_return", method="post"
    ),
    # Plans, as on the pages: drafts to their owner and contributors, agreed plans to everyone. POSTs
    # without a body: refused (403/404), or let through to the body's checks or the service (400: a
    # version is already open, a title or reasons missing, already signed, only a draft is sent).
    "api:plan-list": E(API_EVERYONE),
    "api:plan-detail": E(API_PARTIES, kind="plan"),
    # a new version: refused while one is open; the agreed plan (sharing) is revised by its owner or the PCC office
    "api:plan-versions": E("400,403,404 | 403,403,404 | 400,403,404 | 403 | 403 | 401", kind="plan", method="post"),
    "api:plan-version": E(API_PARTIES, kind="plan_version"),
    "api:plan-version-section": E(API_PARTIES, kind="plan_section"),
    "api:plan-version-action": E(API_PARTIES, kind="plan_action"),
    # progress: on the agreed plan (sharing) only the council's officers; on a draft the service says 400
    "api:plan-version-action-progress": E(
        "400,200,404 | 400,403,404 | 400,403,404 | 400,403,400 | 400,403,400 | 401",
        kind="plan_action",
        method="post",
        data={"status": "in_progress", "progress_note": "Under way"},
    ),
    "api:plan-version-note": E(
        "200,403,404 | 403,403,404 | 200,403,404 | 403 | 403 | 401",
        kind="plan_version",
        method="post",
        data={"change_note": "What changed"},
    ),
    "api:plan-version-send": E(
        "200,403,404 | 403,403,404 | 200,403,404 | 403 | 403 | 401", kind="plan_version", method="post"
    ),
    # (the API calls the service and lets its refusal speak: each write gets a body good enough to reach it)
    "api:plan-version-sections": E(
        "201,403,404 | 403,403,404 | 201,403,404 | 403 | 403 | 401",
        kind="plan_version",
        method="post",
        data={"title": "Another section"},
    ),
    "api:plan-version-actions": E(
        "201,403,404 | 403,403,404 | 201,403,404 | 403 | 403 | 401",
        kind="plan_version",
        method="post",
        data={"what": "Another action", "owner": "birmingham-council", "due_date": SOON},
    ),
    "api:plan-version-section-comments": E(
        "400,400,404 | 400,400,404 | 400,400,404 | 400 | 400 | 401", kind="plan_section", method="post"
    ),
    # only the council's signatory decides for the council (its sign-off on the agreed plan is made already)
    "api:plan-signoff-sign": E(
        "403,403,404 | 200,400,404 | 403,403,404 | 403 | 403 | 401", kind="plan_signoff", method="post"
    ),
    "api:plan-signoff-return": E(
        "403,403,404 | 201,400,404 | 403,403,404 | 403 | 403 | 401",
        kind="plan_signoff",
        method="post",
        data={"reasons": "Say who pays for it."},
    ),
}

# The PCC's powers: their pages, API and public register, each in a module of its own.
EXPECTED.update(
    {
        name: E(*row)
        for name, row in {
            **POWERS_PAGES,
            **POWERS_API,
            **DISPARITIES_PAGES,
            **ACCOUNTABILITY_PAGES,
            **FUNDING_PAGES,
            **FUNDING_API,
            **FUNDING_PUBLIC,
        }.items()
    }
)

# NOTE: the Django admin is one rule for all its routes (listed by the walker, tested below):
# no portal role is staff, so every admin page sends them to the admin sign-in.
ADMIN_PREFIX = "/admin/"


def parse(outcomes: str) -> dict[str, list[str]]:
    """'200,200,404 | 200 | ...' -> {role: [own, sharing, other]}."""
    cells = [c.strip() for c in outcomes.split("|")]
    assert len(cells) == len(ROLES), outcomes
    out = {}
    for role, cell in zip(ROLES, cells):
        codes = [c.strip() for c in cell.split(",")]
        out[role] = codes * 3 if len(codes) == 1 else codes
        assert len(out[role]) == 3, outcomes
    return out


# --- The world, built once for the module ----------------------------------------------------------
@dataclass
class World:
    people: dict  # role -> user
    objects: dict  # kind -> {variant -> url kwarg value} (or role -> ... for per-person objects)
    dsas: dict  # variant -> DataSharingAgreement
    returns: dict  # variant -> DataReturn
    indicators: dict  # variant -> Indicator
    clients: dict | None = None  # role -> Client, signed in with a recent second factor
    plans: dict | None = None  # own, sharing, other, own_signoff, other_signoff -> Plan


def _applied_return(partner: Partner, indicator) -> DataReturn:
    data_return = DataReturn.objects.create(
        partner=partner,
        file_path=f"data-returns/{partner.slug}.csv",
        original_filename=f"{partner.slug}.csv",
        kind=DataReturn.Kind.CSV,
        sha256="0" * 64,
        status=DataReturn.Status.APPLIED,
        progress=100,
        row_count=1,
    )
    permissions.grant("view_datareturn", partner.group, data_return)  # as data_return_upload does
    Observation.objects.filter(indicator=indicator).update(data_return=data_return)
    return data_return


def _passkey(user):
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=user,
        name="Passkey",
        credential_id=user.username.encode(),
        public_key=b"key",
        aaguid="0" * 32,
        credential_id_sha256=f"{user.pk:064d}",
    )


def _notification(user):
    from portal.actors import system
    from portal.notifications import notify

    with transaction.atomic():  # (the browser tests build this world outside a transaction)
        return notify(
            users=[user],
            kind="dsa.signature_requested",
            by=system("test world"),
            title="An agreement is waiting for your signature",
            body="Read it and sign it.",
            url="/sharing-agreements/",
        )[0]


def _plans(council: Partner, police: Partner, probation: Partner, targets: dict) -> dict:
    """Plans of each kind the plan routes name: the council's own draft (the police contribute); an
    agreed police plan the council contributed to; probation's draft (nothing to do with the council);
    a police plan out for sign-off by the council; and probation's plan out for sign-off by probation."""
    due = date.today() + timedelta(days=55)

    def plan(owner, contributors, title, status):
        return make_plan(
            owner,
            contributors,
            title=title,
            status=status,
            targets=[targets["own"]] if owner == council else [],
            actions=[(f"Action for {p.short_name}", p, due) for p in [owner, *contributors]],
            documents=[("Evidence", pdf_file())] if status in ("draft", "agreed") else [],
        )

    return {
        "own": plan(council, [police], "Council community safety plan", "draft"),
        "sharing": plan(police, [council], "Police violence plan, agreed", "agreed"),
        "other": plan(probation, [], "Probation reoffending plan", "draft"),
        "own_signoff": plan(police, [council], "Police neighbourhood plan, in sign-off", "in_signoff"),
        "other_signoff": plan(probation, [], "Probation plan, in sign-off", "in_signoff"),
    }


def _plan_objects(plans: dict, owners: dict) -> dict:
    """kind -> {variant -> the URL's values}, the section, action and sign-off being the own partner's
    (the council's) where the plan has one, else its owner's."""
    variants = {"own": plans["own"], "sharing": plans["sharing"], "other": plans["other"]}
    writers = {"own": owners["own"], "sharing": owners["own"], "other": owners["other"]}

    def version(plan):
        return {"pk": plan.pk, "number": 1}

    def section(partner, plan):
        return {**version(plan), "key": plan.versions.get(number=1).sections.get(assigned_to=partner).key}

    def action(partner, plan):
        return {**version(plan), "key": plan.versions.get(number=1).actions.get(owner=partner).key}

    def document(plan):
        return {**version(plan), "attachment_id": plan.versions.get(number=1).attachments.get().pk}

    def comment(partner, plan):
        section = plan.versions.get(number=1).sections.get(assigned_to=partner)
        # (made directly: comments on a plan already agreed are closed to the service)
        made = PlanComment.objects.create(section=section, author_label="A reader", body="Say who pays for it.")
        return {**version(plan), "key": section.key, "comment_id": made.pk}

    signoffs = {"own": plans["own_signoff"], "sharing": plans["sharing"], "other": plans["other_signoff"]}
    return {
        "plan_comment": {v: comment(writers[v], p) for v, p in variants.items()},
        "plan": {v: p.pk for v, p in variants.items()},
        "plan_version": {v: version(p) for v, p in variants.items()},
        "plan_section": {v: section(writers[v], p) for v, p in variants.items()},
        "plan_action": {v: action(writers[v], p) for v, p in variants.items()},
        "plan_attachment": {v: document(p) for v, p in variants.items()},
        "plan_signoff": {v: {**version(p), "partner": writers[v].slug} for v, p in signoffs.items()},
    }


def _powers(council: Partner, police: Partner, probation: Partner, people: dict) -> dict:
    """The PCC's powers for each variant: own, the council's decision called in (a response written); sharing,
    a police decision called in; other, probation's decision (not called in). A signed PCC decision (own), a
    signed confidential one (sharing), a draft (other); each partner's appointment, consulted."""
    from callins import services as callin_services
    from callins.models import CallInGround

    ground = CallInGround.objects.create(name="Value for money")
    officers = {council: people["officer"], police: None, probation: None}
    decisions, callins = {}, {}
    for variant, partner in (("own", council), ("sharing", police), ("other", probation)):
        officer = officers[partner] or make_person(partner, Role.OFFICER, f"{partner.slug}.decider")
        decisions[variant] = callin_services.decision_log(
            partner=partner,
            by=officer,
            reference=f"{partner.short_name}-1",
            title=f"{partner.short_name} decision",
            summary="Summary",
            reasons="Reasons",
            decision_maker_name="A Person",
            decision_maker_post="Director",
            made_on=date.today(),
            takes_effect_on=date.today() + timedelta(days=60),
            category="policy",
        )
        if variant != "other":
            callin = callin_services.callin_draft(
                decision=decisions[variant], by=people["pcc_officer"], grounds=[ground], questions="Why?"
            )
            callins[variant] = callin_services.callin_issue(callin=callin, by=people["pcc"], confirmed_at=now())
            callin_services.callin_response_save(callin=callins[variant], by=officer, response_text="Because.")
            callin_services.callin_attachment_add(
                callin=callins[variant], by=officer, title="Evidence", uploaded_file=pdf_file()
            )
    callins["other"] = callin_services.callin_draft(
        decision=decisions["other"], by=people["pcc_officer"], grounds=[ground], questions="Why?"
    )
    pcc_decisions = {}
    for variant, confidential in (("own", False), ("sharing", True), ("other", None)):
        made = callin_services.pcc_decision_draft(
            by=people["pcc_officer"],
            title=f"PCC decision {variant}",
            summary="S",
            reasons="R",
            confidential=bool(confidential),
        )
        if confidential is not None:
            made = callin_services.pcc_decision_sign(decision=made, by=people["pcc"], confirmed_at=now())
        pcc_decisions[variant] = made
    appointments = {}
    for variant, partner in (("own", council), ("sharing", police), ("other", probation)):
        officer = officers[partner] or make_person(partner, Role.OFFICER, f"{partner.slug}.appointer")
        appointment = callin_services.appointment_open(partner=partner, by=officer, post="Director")
        appointments[variant] = callin_services.appointment_consult(
            appointment=appointment, by=officer, candidate="A Candidate"
        )
    return {
        "decision": {v: d.pk for v, d in decisions.items()},
        "callin": {v: c.pk for v, c in callins.items()},
        "callin_attachment": {
            v: {"pk": c.pk, "attachment_id": c.attachments.get().pk}
            if c.attachments.exists()
            else {"pk": c.pk, "attachment_id": 0}
            for v, c in callins.items()
        },
        "callin_public": {v: c.reference for v, c in callins.items()},
        "pcc_decision": {v: d.pk for v, d in pcc_decisions.items()},
        "pcc_decision_public": {
            v: {"year": d.year or 2000, "number": d.number or 999} for v, d in pcc_decisions.items()
        },
        "appointment": {v: a.pk for v, a in appointments.items()},
    }


def now():
    from django.utils import timezone

    return timezone.now()


def build_world() -> World:
    force = AreaFactory(code="E23000014", name="West Midlands", kind=Area.Kind.FORCE_AREA)
    area = AreaFactory(code="E08000025", name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY)
    council = make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council", [area])
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police", [force])
    probation = make_partner("probation-west-midlands", Partner.Kind.PROBATION, "Probation Service", [force])
    opcc = make_partner("opcc", Partner.Kind.PCC_OFFICE, "Office of the PCC", [force])
    people = {
        "officer": make_person(council, Role.OFFICER, "council.officer"),
        "signatory": make_person(council, Role.SIGNATORY, "council.signatory"),
        "board": make_person(council, Role.BOARD_MEMBER, "council.board"),
        "pcc_officer": make_person(opcc, Role.PCC_OFFICER, "pcc.officer"),
        "pcc": make_person(opcc, Role.PCC, "pcc"),
    }
    owners = {"own": council, "sharing": police, "other": probation}
    others = {
        "own": people["officer"],
        "sharing": make_person(police, Role.OFFICER, "police.officer"),
        "other": make_person(probation, Role.OFFICER, "probation.officer"),
    }
    indicators = {
        "own": make_indicator("ASB-1000", council),
        "sharing": make_indicator("SV-1000", police),
        "other": make_indicator("REOFF-ADULT", probation),
    }
    for indicator in indicators.values():
        add_figures(indicator, area)
    # own: the council shares with the police; sharing: the police share with the council;
    # other: probation shares with the police only.
    dsas = {
        "own": make_dsa(council, [police], [indicators["own"]], title="Council to police"),
        "sharing": make_dsa(police, [council], [indicators["sharing"]], title="Police to council"),
        "other": make_dsa(probation, [police], [indicators["other"]], title="Probation to police"),
    }
    priorities, targets = {}, {}
    for variant, partner in owners.items():
        priorities[variant] = target_services.priority_create(
            title=f"Priority led by {partner.short_name}",
            slug=f"priority-{variant}",
            lead_partners=[partner],
            by=SYSTEM,
        )
        targets[variant] = target_services.target_create(
            priority=priorities[variant],
            indicator=indicators[variant],
            area=area,
            owner=partner,
            baseline_value=Decimal("2"),
            baseline_period_start=date(2025, 4, 1),
            baseline_period_end=date(2026, 3, 31),
            target_value=Decimal("1.5"),
            target_date=date(2027, 3, 31),
            by=SYSTEM,
        )
    returns = {variant: _applied_return(partner, indicators[variant]) for variant, partner in owners.items()}
    tokens = {
        variant: api_token_create(name=f"{p.slug} feed", partner=p, days=30, by=people["pcc_officer"])[0]
        for variant, p in owners.items()
    }
    passkeys = {role: _passkey(user) for role, user in people.items()}
    passkeys["someone"] = _passkey(others["sharing"])
    passkeys["someone else"] = _passkey(others["other"])
    notes = {role: _notification(user) for role, user in people.items()}
    notes["someone"] = _notification(others["sharing"])
    notes["someone else"] = _notification(others["other"])
    plans = _plans(council, police, probation, targets)
    objects = {
        **_plan_objects(plans, owners),
        **_powers(council, police, probation, people),
        **build_funding(council, police, probation, people),
        "partner": {v: p.slug for v, p in owners.items()},
        "dsa": {v: a.pk for v, a in dsas.items()},
        "indicator": {v: i.code for v, i in indicators.items()},
        "priority": {v: p.slug for v, p in priorities.items()},
        "target": {v: t.pk for v, t in targets.items()},
        "data_return": {v: r.pk for v, r in returns.items()},
        "user": {v: u.pk for v, u in others.items()},
        "token": {v: t.pk for v, t in tokens.items()},
        "fmt": {v: "csv" for v in VARIANTS},
        # a person's own passkey, then other people's
        "passkey": {
            role: {
                "own": passkeys[role].pk if role in passkeys else passkeys["someone"].pk,
                "sharing": passkeys["someone"].pk,
                "other": passkeys["someone else"].pk,
            }
            for role in ROLES
        },
        # a person's own notification, then other people's
        "notification": {
            role: {
                "own": notes[role].pk if role in notes else notes["someone"].pk,
                "sharing": notes["someone"].pk,
                "other": notes["someone else"].pk,
            }
            for role in ROLES
        },
    }
    return World(people=people, objects=objects, dsas=dsas, returns=returns, indicators=indicators, plans=plans)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once; every test runs in a savepoint inside this transaction, which is rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        with transaction.atomic():
            world = build_world()
            # NOTE: the signed-in sessions are made here too, once: what a test's requests change
            # in them is rolled back with the test's savepoint.
            world.clients = {role: signed_in(user) for role, user in world.people.items()}
            world.clients["anonymous"] = Client()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    return world.clients


# --- The routes ------------------------------------------------------------------------------------
def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def routes() -> list[tuple[str, str]]:
    """(route, name) for every route outside the admin."""
    return [(route, name) for route, name in all_routes() if not ("/" + route).startswith(ADMIN_PREFIX)]


def route_names() -> set[str]:
    return {name for _, name in routes()}


def concrete(route: str, name: str, world: World, role: str, variant: str) -> str:
    entry = EXPECTED[name]
    kwargs = {}
    for param in _params(route):
        if param == "format":
            kwargs[param] = "json"
        else:
            values = world.objects[entry.kind]
            values = values[role] if entry.kind in PER_PERSON_KINDS else values
            value = values[variant]
            # (routes that name several things, e.g. a plan, its version and a section, take a dict)
            kwargs[param] = value[param] if isinstance(value, dict) else value
    return reverse(name, kwargs=kwargs or None)


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].split("?")[0] == reverse("portal:login"):
        return "login"
    return str(response.status_code)


def test_every_route_has_an_expected_outcome():
    assert set(EXPECTED) == route_names(), (
        f"routes without an entry: {sorted(route_names() - set(EXPECTED))}; "
        f"entries without a route: {sorted(set(EXPECTED) - route_names())}"
    )


@pytest.mark.parametrize("route,name", routes(), ids=[f"{n}:{r}" for r, n in routes()])
def test_each_role_gets_what_it_should_from_each_route(route, name, world, clients):
    entry = EXPECTED[name]
    expected = parse(entry.outcomes)
    got: dict[str, list[str]] = {}
    for role in ROLES:
        variants = VARIANTS if entry.kind else VARIANTS[:1]
        got[role] = []
        for variant in variants:
            path = concrete(route, name, world, role, variant)
            # each request against the same world: what one role's POST changed is undone before the next
            savepoint = transaction.savepoint()
            if entry.data is not None:
                response = getattr(clients[role], entry.method)(path, entry.data, content_type="application/json")
            else:
                response = getattr(clients[role], entry.method)(path)
            transaction.savepoint_rollback(savepoint)
            assert response.status_code != 500, path
            got[role].append(outcome(response))
        if not entry.kind:
            got[role] *= 3
    wrong = {role: f"got {got[role]}, expected {expected[role]}" for role in ROLES if got[role] != expected[role]}
    assert not wrong, f"{name}: {wrong}"


def test_no_portal_role_is_staff(world):
    """Admin access turns on is_staff alone, so one role stands for all of them in the test below."""
    assert not any(user.is_staff or user.is_superuser for user in world.people.values())


@pytest.mark.parametrize("route", sorted({r for r, _ in all_routes() if ("/" + r).startswith(ADMIN_PREFIX)}))
def test_no_portal_role_gets_into_the_admin(route, world, clients):
    path = _concrete(route)
    for role in ("officer", "anonymous"):
        response = clients[role].get(path)
        if role == "anonymous":
            assert outcome(response) == "login", path
        elif path == "/admin/login/":
            assert response.status_code == 200 and "not authorized" in response.content.decode(), path
        else:
            assert response.status_code in (302, 405), (role, path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(ADMIN_PREFIX), (role, path)


# --- List endpoints return exactly the rows each role may see ------------------------------------------
def _refs(response) -> set[str]:
    return set(re.findall(r'data-reference="([^"]+)"', response.content.decode()))


def test_the_agreements_register_lists_exactly_the_parties_agreements(world, clients):
    ref = {v: a.reference for v, a in world.dsas.items()}
    parties = {ref["own"], ref["sharing"]}
    expected = {
        "officer": parties,
        "signatory": parties,
        "board": parties,
        "pcc_officer": set(ref.values()),
        "pcc": set(ref.values()),
    }
    for role, wanted in expected.items():
        assert _refs(clients[role].get("/sharing-agreements/")) == wanted, role
        rows = clients[role].get("/api/v1/sharing-agreements/").json()["results"]
        assert {row["reference"] for row in rows} == wanted, role


def test_the_observations_api_returns_exactly_the_figures_shared(world, clients):
    own, sharing, other = (world.indicators[v].code for v in VARIANTS)
    total, female, male = "", "sex=Female", "sex=Male"
    everything = {(code, key) for code in (own, sharing, other) for key in (total, female, male)}
    # the council's own figures in full; the police's totals only (an aggregate agreement); none of probation's
    council = {(own, total), (own, female), (own, male), (sharing, total)}
    expected = {
        "officer": council,
        "signatory": council,
        "board": council,
        "pcc_officer": everything,
        "pcc": everything,
    }
    for role, wanted in expected.items():
        rows = clients[role].get("/api/v1/observations/").json()["results"]
        assert {(row["indicator"], row["breakdown_key"]) for row in rows} == wanted, role
    assert clients["anonymous"].get("/api/v1/observations/").status_code == 401


def test_the_data_returns_api_returns_exactly_the_partners_own_returns(world, clients):
    ids = {v: r.pk for v, r in world.returns.items()}
    expected = {
        "officer": {ids["own"]},
        "signatory": {ids["own"]},
        "board": {ids["own"]},
        "pcc_officer": set(ids.values()),
        "pcc": set(ids.values()),
    }
    for role, wanted in expected.items():
        rows = clients[role].get("/api/v1/data-returns/").json()["results"]
        assert {row["id"] for row in rows} == wanted, role


def test_the_plans_list_shows_exactly_the_plans_each_role_may_open(world, clients):
    ids = {name: plan.pk for name, plan in world.plans.items()}
    # the council's own draft, the agreed police plan and the police plan it is asked to sign off
    council = {ids["own"], ids["sharing"], ids["own_signoff"]}
    expected = {
        "officer": council,
        "signatory": council,
        "board": council,
        "pcc_officer": set(ids.values()),
        "pcc": set(ids.values()),
    }
    for role, wanted in expected.items():
        listed = {int(pk) for pk in re.findall(r'data-plan="(\d+)"', clients[role].get("/plans/").content.decode())}
        assert listed == wanted, role


def test_the_decisions_api_lists_exactly_each_roles_decisions(world, clients):
    ids = world.objects["decision"]
    # the council's own; the board member sees none; the PCC office every partner's
    expected = {
        "officer": {ids["own"]},
        "signatory": {ids["own"]},
        "board": set(),
        "pcc_officer": set(ids.values()),
        "pcc": set(ids.values()),
    }
    for role, wanted in expected.items():
        rows = clients[role].get("/api/v1/decisions/").json()["results"]
        assert {row["id"] for row in rows} == wanted, role
    assert clients["anonymous"].get("/api/v1/decisions/").status_code == 401


def test_the_register_lists_exactly_the_issued_call_ins_and_signed_decisions_for_everyone(world, clients):
    callins, decisions = world.objects["callin_public"], world.objects["pcc_decision_public"]
    issued = {callins["own"], callins["sharing"]}  # other: a draft
    signed = {f"{d['number']:03d}/{d['year']}" for v, d in decisions.items() if v != "other"}  # other: a draft
    # and the decisions through which the funding world's grants were awarded (published: not confidential)
    from funding.models import Award

    signed |= {award.pcc_decision.reference for award in Award.objects.select_related("pcc_decision")}
    for role in ROLES:
        assert _refs(clients[role].get("/register/call-ins/")) == issued, role
        assert _refs(clients[role].get("/register/decisions/")) == signed, role


def test_no_confidential_word_reaches_any_register_route_and_only_the_register_is_open(world, clients):
    """Every register route (walked from the URL configuration), for every role and an anonymous visitor, on a
    confidential call-in taken to its determination and a confidential PCC decision."""
    from callins import services as callin_services
    from callins.models import CallInGround
    from tests.factories import just_now

    police = Partner.objects.get(slug="west-midlands-police")
    officer, signatory = make_person(police, Role.OFFICER), make_person(police, Role.SIGNATORY)
    decision = callin_services.decision_log(
        partner=police,
        by=officer,
        reference="KESTREL-1",
        title="Kestrel title",
        summary="Kestrel summary",
        reasons="Kestrel reasons",
        decision_maker_name="Kestrel maker",
        decision_maker_post="Kestrel post",
        made_on=date.today(),
        takes_effect_on=date.today(),
        category="policy",
        confidential=True,
    )
    callin = callin_services.callin_draft(
        decision=decision,
        by=world.people["pcc_officer"],
        grounds=[CallInGround.objects.get()],
        questions="Kestrel questions",
    )
    callin_services.callin_issue(callin=callin, by=world.people["pcc"], confirmed_at=just_now())
    callin_services.callin_response_save(callin=callin, by=officer, response_text="Kestrel response")
    callin_services.callin_submit(callin=callin, by=signatory, confirmed_at=just_now())
    callin = callin_services.callin_determine(
        callin=callin,
        by=world.people["pcc"],
        outcome="referred_back",
        reasons="Kestrel determination",
        recommendations="Kestrel recommendations",
        confirmed_at=just_now(),
    )
    secret = callin_services.pcc_decision_sign(
        decision=callin_services.pcc_decision_draft(
            by=world.people["pcc_officer"],
            title="Kestrel PCC title",
            summary="Kestrel PCC summary",
            reasons="Kestrel PCC reasons",
            confidential=True,
        ),
        by=world.people["pcc"],
        confirmed_at=just_now(),
    )
    objects = {
        "pcc_decision_public": [{"year": d.year, "number": d.number} for d in (secret, callin.pcc_decision)],
        "callin_public": [callin.reference],
    }
    paths = []
    for route, name in routes():
        if not name.startswith("register:"):
            continue
        kind = EXPECTED[name].kind
        for value in objects[kind] if kind else [None]:
            kwargs = {p: (value[p] if isinstance(value, dict) else value) for p in _params(route)}
            paths.append(reverse(name, kwargs=kwargs or None))
    assert len(paths) == 8
    for role in ROLES:
        for path in paths:
            response = clients[role].get(path)
            assert response.status_code == 200, (role, path)
            assert b"kestrel" not in response.content.lower(), (role, path)
    assert outcome(clients["anonymous"].get("/decisions/")) == "login"
