"""Applications: drafted, changed and submitted by the applying organisation's officers while the round is
open, for no more than its maximum award, with budget lines adding up to the amount asked."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Area
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot
from portal.files import upload_accept, upload_store
from portal.formats import gov_date
from portal.notifications import notify

from .. import limits, rules
from ..models import Application, ApplicationAttachment, BudgetLine, Organisation, Round
from ..workflows import APPLICATION_FLOW
from .common import audit, money, pcc_office, person, pounds, text

FIELDS = ["project_title", "summary", "amount_asked", "programme"]


def _check_round_open(round_: Round, today: date) -> None:
    if not round_.accepts_on(today):
        if round_.status == Round.Status.OPEN and today < round_.opens_on:
            raise ValidationError(f"{round_.title} opens for applications on {gov_date(round_.opens_on)}")
        raise ValidationError(f"{round_.title} is not open for applications")


def _content(round_: Round, *, project_title, summary, amount_asked, budget_lines, programme=None) -> dict:
    amount = money("amount_asked", amount_asked, "the amount asked for")
    if amount > round_.max_award:
        raise ValidationError(
            {"amount_asked": f"The amount asked for must be {pounds(round_.max_award)} or less, the round's maximum"}
        )
    lines = []
    for item, line_amount in budget_lines or ():
        lines.append(
            (
                text("budget_lines", item, limits.NAME, "A budget line's item", required=True, single_line=True),
                money("budget_lines", line_amount, "each budget line's amount"),
            )
        )
    return {
        "project_title": text(
            "project_title", project_title, limits.TITLE, "Project title", required=True, single_line=True
        ),
        "summary": text("summary", summary, limits.TEXT, "Summary", required=True),
        "amount_asked": amount,
        "programme": programme,
        "_lines": lines,
    }


def _save(application: Application, content: dict, *, targets, areas) -> None:
    lines = content.pop("_lines")
    for name, value in content.items():
        setattr(application, name, value)
    application.save()
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(BudgetLine(application=application, item=i, amount=a) for i, a in lines)
    if any(not isinstance(a, Area) for a in areas):
        raise ValidationError({"areas": "Select the areas served from the list"})
    application.targets.set(targets)
    application.areas.set(areas)


@transaction.atomic
def application_draft(
    *,
    round_: Round,
    organisation: Organisation,
    by,
    project_title: str,
    summary: str,
    amount_asked,
    budget_lines=(),
    targets=(),
    areas=(),
    programme=None,
    today: date | None = None,
) -> Application:
    """An officer of the applying organisation drafts an application to an open round."""
    require_actor(by)
    if not permissions.can(by, rules.APPLICATION_DRAFT, Application(organisation=organisation)):
        raise PermissionDenied(permissions.refusal(rules.APPLICATION_DRAFT))
    _check_round_open(round_, today or timezone.localdate())
    content = _content(
        round_,
        project_title=project_title,
        summary=summary,
        amount_asked=amount_asked,
        budget_lines=budget_lines,
        programme=programme,
    )
    application = Application(round=round_, organisation=organisation, drafted_by=person(by))
    _save(application, content, targets=targets, areas=areas)
    audit(
        by=by,
        obj=application,
        partner=organisation.partner,
        action="application.draft",
        summary=f"{organisation.name} drafted an application to {round_.title}: {application.project_title}",
        after=snapshot(application, FIELDS),
    )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by,
    project_title: str,
    summary: str,
    amount_asked,
    budget_lines=(),
    targets=(),
    areas=(),
    programme=None,
    today: date | None = None,
) -> Application:
    """The applicant's officers change their draft while the round is open."""
    application = APPLICATION_FLOW.begin("edit", application, by=by)
    _check_round_open(application.round, today or timezone.localdate())
    before = snapshot(application, FIELDS)
    content = _content(
        application.round,
        project_title=project_title,
        summary=summary,
        amount_asked=amount_asked,
        budget_lines=budget_lines,
        programme=programme,
    )
    _save(application, content, targets=targets, areas=areas)
    audit(
        by=by,
        obj=application,
        partner=application.organisation.partner,
        action="application.update",
        summary=f"Draft application changed: {application.project_title}",
        before=before,
        after=snapshot(application, FIELDS),
    )
    return application


@transaction.atomic
def application_submit(
    *, application: Application, by, meets_eligibility: bool, today: date | None = None
) -> Application:
    """The applicant's officers submit their draft while the round is open: they confirm it meets the round's
    eligibility, and its budget lines add up to the amount asked for."""
    application = APPLICATION_FLOW.begin("submit", application, by=by)
    round_ = application.round
    _check_round_open(round_, today or timezone.localdate())
    if application.amount_asked > round_.max_award:
        raise ValidationError(
            {"amount_asked": f"The amount asked for must be {pounds(round_.max_award)} or less, the round's maximum"}
        )
    if meets_eligibility is not True:
        raise ValidationError({"meets_eligibility": "Confirm that the organisation meets the round's eligibility"})
    lines = [line.amount for line in application.budget_lines.all()]
    if not lines:
        raise ValidationError({"budget_lines": "Add the budget lines the amount asked for is made of"})
    if sum(lines) != application.amount_asked:
        raise ValidationError(
            {
                "budget_lines": f"The budget lines add up to {pounds(sum(lines))}: they must add up to the amount "
                f"asked for, {pounds(application.amount_asked)}"
            }
        )
    APPLICATION_FLOW.finish(
        application,
        "submit",
        by=by,
        partner=application.organisation.partner,
        changes={"submitted_at": timezone.now(), "submitted_by": person(by)},
        audited=("submitted_at",),
        summary=f"{application.organisation.name} submitted its application to {round_.title}: "
        f"{application.project_title} for {pounds(application.amount_asked)}",
    )
    notify(
        users=pcc_office(),
        kind="funding.application_submitted",
        by=by,
        url=application.get_absolute_url(),
        title=f"New application to {round_.title}: {application.project_title}"[:200],
        body=f"{application.organisation.name} asks for {pounds(application.amount_asked)} for "
        f"'{application.project_title}'.",
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by) -> Application:
    """The applicant's officers withdraw an application not yet decided."""
    application = APPLICATION_FLOW.begin("withdraw", application, by=by)
    APPLICATION_FLOW.finish(
        application,
        "withdraw",
        by=by,
        partner=application.organisation.partner,
        summary=f"{application.organisation.name} withdrew its application: {application.project_title}",
    )
    return application


ATTACHMENT_FOLDER = "funding-applications"
ATTACHMENT_KINDS = ("pdf", "docx", "xlsx")


@transaction.atomic
def application_attachment_add(*, application: Application, by, title: str, uploaded_file) -> ApplicationAttachment:
    """A document with a draft application (PDF, DOCX or XLSX, checked and stored by the upload helper)."""
    application = APPLICATION_FLOW.begin("edit", application, by=by)
    title = text("title", title, limits.TITLE, "The document's title", required=True, single_line=True)
    if application.attachments.count() >= limits.ATTACHMENTS:
        raise ValidationError({"file": f"An application can have up to {limits.ATTACHMENTS} documents"})
    accepted = upload_accept(uploaded_file, allowed=ATTACHMENT_KINDS)
    relative = upload_store(uploaded_file, accepted, folder=ATTACHMENT_FOLDER)
    attachment = ApplicationAttachment.objects.create(
        application=application,
        title=title,
        file_path=relative,
        original_filename=accepted.original_name,
        kind=accepted.kind,
        size=accepted.size,
        sha256=accepted.sha256,
        uploaded_by=person(by),
    )
    audit(
        by=by,
        obj=application,
        partner=application.organisation.partner,
        action="application.attachment_add",
        summary=f"Document '{title}' added to the application {application.project_title}",
        after={"title": title, "kind": accepted.kind, "sha256": accepted.sha256},
    )
    return attachment
