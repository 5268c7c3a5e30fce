"""How much a plan may hold, in one place: the forms, the API and the services all take their limits from
here (portal/text.py words the refusals). Each fits its use with room to spare, and together they keep the
version page, the comparison and the PDF of the largest plan quick to make (tests/targets/plans/test_bounds.py,
tests/perf/test_plan_bench.py)."""

from __future__ import annotations

from portal.ratelimit import Limit

# Characters.
PLAN_TITLE = 200  # the model's max_length
PLAN_SUMMARY = 2_000  # "one or two sentences"
SECTION_TITLE = 200
SECTION_BODY = 100_000  # about 35 printed pages
VERSION_TEXT = 200_000  # every section of a version together: about 70 printed pages
CHANGE_NOTE = 500
ACTION_WHAT = 500
PROGRESS_NOTE = 2_000
DOCUMENT_TITLE = 200
COMMENT = 5_000
STATEMENT = 5_000
REASONS = 5_000
SEARCH = 100

# How many.
SECTIONS_PER_VERSION = 50
ACTIONS_PER_VERSION = 200
TABLE_ROWS = 500  # in one Markdown table: a longer one belongs in a spreadsheet, attached
TABLE_COLUMNS = 20

# Writes per person.
COMMENTS = Limit("plan-comment", 30, 600, "You have added {count} comments in the last {period}")

# Comparing two versions (targets/plans/opcodes.py counts the steps): a section's words are marked within
# SECTION_COMPARISON_STEPS, and the whole page within COMPARISON_STEPS; past either, a section is shown as its
# two texts side by side. A largest section with a change every dozen words takes about 520,000 steps (0.5 s
# here, reading and writing its words included), so both sections of the fullest version are marked.
SECTION_COMPARISON_STEPS = 800_000
COMPARISON_STEPS = 1_200_000
