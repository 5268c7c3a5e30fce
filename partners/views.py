"""Partner directory, partner page, my account, and the data-sharing agreements register."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import permissions
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from . import rules, selectors, services
from .forms import ApiTokenForm, DsaFilterForm, DsaForm, DsaReasonForm, DsaSignForm, PartnerFilterForm
from .workflows import DSA_FLOW


def partner_list(request):
    permissions.check(request.user, rules.PARTNER_VIEW)
    form = PartnerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    partners = selectors.partner_list_visible_to(
        user=request.user, search=filters.get("q", ""), kind=filters.get("kind", "")
    )
    page, pagination = paginate(request, partners, per_page=25)
    return render(request, "partners/list.html", {"filter_form": form, "page": page, "pagination": pagination})


# The lists of the partner page's sections that grow with the data: targets a page at a time (?page=), and
# the latest agreements, with a link to all of them on the agreements page.
PARTNER_PAGED_LISTS = ("targets",)
PARTNER_PAGE_ROWS = 25
PARTNER_AGREEMENTS_SHOWN = 10


def partner_detail(request, slug: str):
    partner = selectors.partner_get(user=request.user, slug=slug)
    sections = [_paged(request, s) for s in selectors.partner_sections(user=request.user, partner=partner)]
    return render(request, "partners/detail.html", {"partner": partner, "extra_sections": sections})


def _paged(request, section: dict) -> dict:
    """A section with its long list cut short: a paged list gets `page` (the rows shown and the count of all)
    and `pagination` (govukPagination's parameters, None for one page); agreements, `agreements_count`."""
    for name in PARTNER_PAGED_LISTS:
        if name in section:
            page, pagination = paginate(request, section[name], per_page=PARTNER_PAGE_ROWS)
            return {**section, name: page.object_list, "page": page, "pagination": _to_list(pagination, name)}
    if "agreements" in section:
        agreements = section["agreements"]
        return {**section, "agreements": agreements[:PARTNER_AGREEMENTS_SHOWN], "agreements_count": len(agreements)}
    return section


def _to_list(pagination: dict | None, anchor: str) -> dict | None:
    """The page links, each to the list itself (its heading's id) rather than the top of the partner page."""
    if pagination is None:
        return None
    links = [item for item in pagination["items"] if "href" in item]
    links += [pagination[key] for key in ("previous", "next") if key in pagination]
    for link in links:
        link["href"] += f"#{anchor}"
    return pagination


def my_account(request):
    return render(
        request,
        "partners/my_account.html",
        {
            "memberships": selectors.memberships_of(user=request.user),
        },
    )


# --- Data-sharing agreements --------------------------------------------------------------------
def _posted(request):
    """The POST data, or None for GET (an empty POST still binds the form, so it shows its errors)."""
    return request.POST if request.method == "POST" else None


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, against the field it names where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def dsa_list(request):
    permissions.check(request.user, rules.DSA_VIEW)
    form = DsaFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agreements = selectors.dsa_list_visible_to(
        user=request.user,
        partner=filters.get("partner"),
        status=filters.get("status", ""),
        indicator=form.chosen_indicator(),
    )
    page, pagination = paginate(request, agreements, per_page=25)
    selectors.with_coverage(page.object_list)
    return render(
        request,
        "partners/dsa_list.html",
        {
            "filter_form": form,
            "page": page,
            "pagination": pagination,
            "can_draft": bool(permissions.acting_partner_ids(request.user, rules.DSA_DRAFT)),
        },
    )


def dsa_matrix(request):
    permissions.check(request.user, rules.DSA_VIEW)
    return render(request, "partners/dsa_matrix.html", {"matrix": selectors.dsa_sharing_matrix(user=request.user)})


def dsa_detail(request, pk: int):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    return render(
        request,
        "partners/dsa_detail.html",
        {
            "agreement": agreement,
            "history": selectors.dsa_history(agreement=agreement),
            "actions": selectors.dsa_actions_for(user=request.user, agreement=agreement),
        },
    )


def _draft_providers(user) -> list:
    return selectors.partners_acting_for(user=user, action=rules.DSA_DRAFT)


def dsa_create(request):
    providers = _draft_providers(request.user)
    if not providers:
        raise PermissionDenied(permissions.refusal(rules.DSA_DRAFT))
    form = DsaForm(_posted(request), providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.dsa_draft(provider=form.chosen_provider(), by=request.user, **form.terms())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"Agreement {agreement.reference} is saved as a draft. Check it, then send it for signatures."
            )
            return redirect(agreement)
    return render(request, "partners/dsa_form.html", {"form": form, "agreement": None})


def _refuse_or_redirect(request, agreement, transition: str, message: str):
    """403 when the person may never take this transition; back to the agreement (with why) when the
    agreement is not in a state it starts from; None when the page may go on."""
    if not DSA_FLOW.permitted(request.user, agreement, transition):
        raise PermissionDenied(DSA_FLOW.refusal(transition))
    if not DSA_FLOW.in_source_state(agreement, transition):
        messages.info(request, message)
        return redirect(agreement)
    return None


def dsa_edit(request, pk: int):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    if not DSA_FLOW.permitted(request.user, agreement, "edit"):
        raise PermissionDenied(DSA_FLOW.refusal("edit"))
    if not agreement.is_draft:
        messages.error(request, "Only a draft can be changed.")
        return redirect(agreement)
    initial = {name: getattr(agreement, name) for name in services.DSA_TERMS}
    initial.update(
        special_category_data="yes" if agreement.special_category_data else "no",
        criminal_offence_data="yes" if agreement.criminal_offence_data else "no",
        recipients=[p.pk for p in agreement.recipients.all()],
        indicators=[c.pk for c in agreement.covered],
    )
    form = DsaForm(_posted(request), initial=initial, fixed_provider=agreement.provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.dsa_update(agreement=agreement, by=request.user, **form.terms())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Your changes to the draft are saved.")
            return redirect(agreement)
    return render(request, "partners/dsa_form.html", {"form": form, "agreement": agreement})


def dsa_send(request, pk: int):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    refused = _refuse_or_redirect(
        request, agreement, "send", f"{agreement.reference} has already been sent for signatures."
    )
    if refused:
        return refused
    errors = []
    if request.method == "POST":
        try:
            services.dsa_send(agreement=agreement, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request, f"Agreement {agreement.reference} is sent. Each party's signatory has been asked to sign it."
            )
            return redirect(agreement)
    return render(
        request,
        "partners/dsa_confirm.html",
        {
            "agreement": agreement,
            "action": "send",
            "errors": errors,
            "form": None,
            "heading": f"Send {agreement.reference} for signatures?",
            "button": "Send for signatures",
            "unsignable": selectors.partners_without_signers([agreement.provider, *agreement.recipients.all()]),
        },
    )


def dsa_delete(request, pk: int):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    refused = _refuse_or_redirect(
        request, agreement, "delete", "Only a draft can be deleted. Revoke the agreement instead."
    )
    if refused:
        return refused
    errors = []
    if request.method == "POST":
        try:
            services.dsa_delete(agreement=agreement, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Draft agreement {agreement.reference} is deleted.")
            return redirect("partners:dsa-list")
    return render(
        request,
        "partners/dsa_confirm.html",
        {
            "agreement": agreement,
            "action": "delete",
            "errors": errors,
            "form": None,
            "warning": True,
            "heading": f"Delete draft {agreement.reference}?",
            "button": "Delete the draft",
        },
    )


def dsa_sign(request, pk: int):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    if not DSA_FLOW.in_source_state(agreement, "sign"):
        messages.info(request, f"{agreement.reference} is not waiting for signatures.")
        return redirect(agreement)
    if not DSA_FLOW.permitted(request.user, agreement, "sign"):
        raise PermissionDenied(DSA_FLOW.refusal("sign"))
    return _dsa_sign_confirmed(request, agreement)


@require_step_up
def _dsa_sign_confirmed(request, agreement):
    partners = selectors.dsa_unsigned_partners_for(user=request.user, agreement=agreement)
    if not partners:
        messages.error(request, "There is nothing for you to sign on this agreement.")
        return redirect(agreement)
    form = DsaSignForm(_posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            services.dsa_sign(
                agreement=agreement,
                by=request.user,
                partner=form.chosen_partner(),
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            agreement.refresh_from_db()
            done = " It is now active." if agreement.status == agreement.Status.ACTIVE else ""
            messages.success(request, f"You signed {agreement.reference} for {form.chosen_partner().short_name}.{done}")
            return redirect(agreement)
    return render(
        request,
        "partners/dsa_confirm.html",
        {
            "agreement": agreement,
            "action": "sign",
            "form": form,
            "errors": [],
            "heading": f"Sign {agreement.reference}",
            "button": "Sign the agreement",
        },
    )


TRANSITIONS = {
    # action: (service, verb for messages, reason required, page heading, button, success message)
    "suspend": (
        services.dsa_suspend,
        "suspending",
        True,
        "Suspend {ref}?",
        "Suspend the agreement",
        "{ref} is suspended. Recipients no longer see the data it covers.",
    ),
    "resume": (
        services.dsa_resume,
        "resuming",
        False,
        "Resume {ref}?",
        "Resume the agreement",
        "{ref} is active again. Recipients see the data it covers.",
    ),
    "revoke": (
        services.dsa_revoke,
        "revoking",
        True,
        "Revoke {ref}?",
        "Revoke the agreement",
        "{ref} is revoked. Recipients no longer see the data it covers.",
    ),
}


def _dsa_transition(request, pk: int, action: str):
    agreement = selectors.dsa_get(user=request.user, pk=pk)
    refused = _refuse_or_redirect(
        request,
        agreement,
        action,
        f"{agreement.reference} is {agreement.get_status_display().lower()}: there is nothing to {action}.",
    )
    if refused:
        return refused
    return _dsa_transition_confirmed(request, agreement, action)


@require_step_up
def _dsa_transition_confirmed(request, agreement, action: str):
    service, verb, required, heading, button, done = TRANSITIONS[action]
    form = DsaReasonForm(_posted(request), verb=verb, required=required)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                agreement=agreement,
                by=request.user,
                reason=form.cleaned_data["reason"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done.format(ref=agreement.reference))
            return redirect(agreement)
    return render(
        request,
        "partners/dsa_confirm.html",
        {
            "agreement": agreement,
            "action": action,
            "form": form,
            "errors": [],
            "warning": action != "resume",
            "heading": heading.format(ref=agreement.reference),
            "button": button,
        },
    )


def dsa_suspend(request, pk: int):
    return _dsa_transition(request, pk, "suspend")


def dsa_resume(request, pk: int):
    return _dsa_transition(request, pk, "resume")


def dsa_revoke(request, pk: int):
    return _dsa_transition(request, pk, "revoke")


# --- Partner-system API tokens (the PCC office) -------------------------------------------------
def tokens(request):
    permissions.check(request.user, rules.API_TOKEN_MANAGE)
    page, pagination = paginate(request, selectors.api_tokens_visible_to(user=request.user))
    return render(request, "partners/tokens.html", {"page": page, "pagination": pagination})


def token_create(request):
    permissions.check(request.user, rules.API_TOKEN_MANAGE)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_create(
            name=form.cleaned_data["name"],
            partner=form.cleaned_data["partner"],
            days=form.cleaned_data["days"],
            by=request.user,
        )
        return render(request, "partners/token_created.html", {"token": token, "raw": raw})
    return render(request, "partners/token_create.html", {"form": form})


@require_POST
def token_revoke(request, token_id: int):
    permissions.check(request.user, rules.API_TOKEN_MANAGE)
    token = get_object_or_404(selectors.api_tokens_visible_to(user=request.user), pk=token_id)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token '{token.name}' is revoked. The system can no longer use it.")
    return redirect("partners:tokens")
