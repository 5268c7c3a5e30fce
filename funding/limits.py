"""How much the funding records may hold, in one place (portal/text.py words the refusals)."""

from __future__ import annotations

from decimal import Decimal

TITLE = 200
NAME = 200
TEXT = 10_000
NOTE = 2_000
REFERENCE = 60
MONEY_MAX = Decimal("9999999999.99")  # what a Decimal(12, 2) column holds
SPEND_RETURN_WORKING_DAYS = 20  # a quarter's return is due this many working days after it ends
ATTACHMENTS = 10  # documents with one application
