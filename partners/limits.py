"""How much an agreement's text may hold, in one place: the forms, the API and the services take their limits
from here (portal/text.py words the refusals)."""

from __future__ import annotations

AGREEMENT_TITLE = 200  # the model's max_length
PURPOSE = 10_000
RETENTION = 5_000
SECURITY_MEASURES = 10_000
CONTACTS = 2_000
REASON = 5_000  # why it was suspended, resumed or revoked
TOKEN_NAME = 120  # a partner system's API token
SEARCH = 100
