"""How much the PCC's powers' records may hold, in one place: forms, the API and the services take their limits
from here (portal/text.py words the refusals)."""

from __future__ import annotations

# Characters.
REFERENCE = 40
TITLE = 200
NAME = 200  # a person's name, a post
TEXT = 10_000  # a summary, reasons, alternatives, questions, a response, a determination's reasons
NOTE = 2_000  # notes, interests declared, a waiver's reasons
GROUND = 200
GROUND_DESCRIPTION = 500
SEARCH = 100  # the words a list is searched for

# Working days.
WINDOW_DEFAULT = 5  # a decision's call-in window (CALLIN_WINDOW_WORKING_DAYS overrides it)
WINDOW_RANGE = (1, 20)
RESPONSE_DEFAULT = 10  # the partner's response to a call-in
RESPONSE_RANGE = (5, 30)
DETERMINATION_DAYS = 10  # the PCC's determination after the response
RECONSIDER_DEFAULT = 15  # the partner's reconsideration after a referral back
RECONSIDER_RANGE = (5, 40)
VIEW_DEFAULT = 10  # the PCC's view on a senior appointment
VIEW_RANGE = (5, 20)
REMIND_WITHIN = 3  # reminders from this many working days before a deadline
