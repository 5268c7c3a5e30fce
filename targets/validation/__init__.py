"""Row-by-row checks of a partner's observations, shared by file uploads and API batches (pandas).

Columns: indicator_code, area_code, period_start, period_end, value (required); numerator,
denominator, age_band, sex, ethnicity (optional). Every check is vectorised over the whole
table, so 50,000 rows take a second or two.

Rules worth knowing:
- Periods: monthly = first to last day of a calendar month; quarterly = a calendar quarter
  (January–March, April–June, July–September, October–December); annual = a financial year,
  1 April to 31 March. Periods that have not ended yet are refused.
- Areas: an indicator reported by police force area takes force-area codes only; one reported
  by local authority takes local-authority codes and also the force-area total.
- Rates: when numerator and denominator are given, value must equal numerator ÷ denominator ×
  1,000 / 100,000 / 100 within 0.5%.
- Numbers must fit what the database holds (less than 10^14); more than 4 decimal places are stored
  rounded (a warning says so).
- The template's example rows (marked "example" in its last column) are refused if they still hold
  the example figures; a value equal to an example figure anywhere else is a warning.
- Revisions of figures held are listed (Report.revisions) and warned about when they move a figure
  by more than the indicator's revision_warning_percent.
- Each error names the spreadsheet row (header = row 1, first data row = 2; for API batches,
  row 1 is the first item of "rows"), the column, what is wrong and what to do.
"""

from .rules import validate_frame  # noqa: F401
from .table import (  # noqa: F401
    COLUMNS,
    EXAMPLE_MARK,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TEMPLATE_EXAMPLES,
    TEMPLATE_MARKER_COLUMN,
    Report,
    RowErrors,
    decimal_or_none,
    frame_from_rows,
    read_return_file,
)
