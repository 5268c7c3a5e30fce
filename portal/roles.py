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
# The Commissioner can do whatever the PCC office's officers can, and more.
ROLE_INCLUDES: dict[str, tuple[str, ...]] = {Role.PCC: (Role.PCC_OFFICER,)}
# Who signs for their own partner: its signatories, and for the PCC office the Commissioner (who may also
# delegate to a named signatory there).
SIGNING_ROLES = (Role.SIGNATORY, Role.PCC)


def role_group_name(role: str) -> str:
    return f"Role: {Role(role).label}"
