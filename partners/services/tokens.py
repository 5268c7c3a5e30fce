"""Partner-system API tokens: each acts as its own service user with one officer seat at its partner."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal import permissions
from portal.actors import require_actor
from portal.audit import audit_record
from portal.text import check_text

from .. import limits, rules
from ..models import ApiToken, Membership, Partner, Role, hash_token


@transaction.atomic
def api_token_create(*, name: str, partner: Partner, days: int, by) -> tuple[ApiToken, str]:
    """A token for a partner system, acting as an officer of that partner. The raw token is returned once."""
    require_actor(by)
    permissions.check(by, rules.API_TOKEN_MANAGE)
    check_text(field="name", value=name, limit=limits.TOKEN_NAME, subject="The name", single_line=True)
    User = get_user_model()
    raw = ApiToken.generate_raw()
    service_user = User.objects.create(
        username=f"system-{partner.slug}-{timezone.now():%Y%m%d%H%M%S%f}"[:150],
        first_name=name[:150],
        is_active=True,
        is_service_account=True,
    )
    service_user.set_unusable_password()
    service_user.save(update_fields=["password"])
    Membership.objects.create(user=service_user, partner=partner, role=Role.OFFICER, job_title="Partner system")
    token = ApiToken.objects.create(
        name=name,
        partner=partner,
        user=service_user,
        key_prefix=raw[:12],
        key_hash=hash_token(raw),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=by,
        partner=partner,
        action="api_token.create",
        obj=token,
        summary=f"API token '{name}' created for {partner.short_name}, expires in {days} days",
        after={"name": name, "partner": partner.pk, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token at once; its service user can no longer act."""
    require_actor(by)
    permissions.check(by, rules.API_TOKEN_MANAGE)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
        audit_record(
            actor=by,
            partner=token.partner,
            action="api_token.revoke",
            obj=token,
            summary=f"API token '{token.name}' revoked",
        )
    return token
