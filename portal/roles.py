"""The roles a person may hold at a partner: the vocabulary of the permissions engine.

They live in the core because the engine (portal/permissions.py) grants model permissions to
each role's Group; the partners app stores who holds which role where (Membership).
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Partner officer"
    SIGNATORY = "signatory", "Partner signatory"
    BOARD_MEMBER = "board_member", "Board member"
    PCC_OFFICER = "pcc_officer", "PCC officer"
    PCC = "pcc", "Police and Crime Commissioner"


PCC_OFFICE_ROLES = (Role.PCC_OFFICER, Role.PCC)


def role_group_name(role: str) -> str:
    return f"Role: {Role(role).label}"
