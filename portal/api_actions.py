"""What every API write shares: services' refusals in the API's words, and step-up, which an API token
can never give (the token is the only credential: it has no second factor to confirm)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ErrorDetail, PermissionDenied, Throttled, ValidationError

from .ratelimit import RateLimited
from .security import StepUpRequired, step_up_confirmed_at

STEP_UP_REFUSED = (
    "This needs a second factor confirmed in the last 15 minutes. API tokens cannot do that: "
    "{what} in the portal, or from a browser session that has just confirmed its code."
)


def is_token(request) -> bool:
    return bool(getattr(request.auth, "is_partner_system_token", False))


def refuse_tokens(request, what: str) -> None:
    """Step-up actions need a person who just gave a fresh second factor: a token never can, so say why
    before anything else. `what` says where to do it instead ("sign off plans")."""
    if is_token(request):
        raise PermissionDenied(STEP_UP_REFUSED.format(what=what))


def step_up_time(request):
    """When the caller last gave a fresh second factor: never for a partner-system token; for a browser
    session, from the session."""
    if is_token(request):
        return None
    return step_up_confirmed_at(request._request)


class TooManyWrites(Throttled):
    """429 with the limit's own message (and Retry-After), not DRF's "Request was throttled"."""

    def __init__(self, refusal: RateLimited):
        super().__init__()
        self.detail = ErrorDetail(" ".join(refusal.messages), code="rate_limited")
        self.wait = refusal.retry_after


def run_service(service, *, step_up_what: str = "do this", **kwargs):
    """Call a service; its refusals become 400 (validation, naming the fields), 403 (permission, or a
    step-up the caller has not given) or 429 (over a per-person limit), with the service's message."""
    try:
        return service(**kwargs)
    except RateLimited as exc:
        raise TooManyWrites(exc)
    except StepUpRequired:
        raise PermissionDenied(STEP_UP_REFUSED.format(what=step_up_what))
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)})
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None)
