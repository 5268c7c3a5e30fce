"""The PCC's powers' API (/api/v1/decisions/, /api/v1/callins/, /api/v1/pcc-decisions/, /api/v1/appointments/):
reads through callins.selectors, writes through callins.services.

Whoever may not see a row gets 404 for it, exactly as on the pages. Step-up actions (issue, determine and
withdraw a call-in; submit a response; waive a call-in; sign a PCC decision) need a second factor confirmed in
the last 15 minutes, so API tokens are refused (403). Money is a string with two decimals, never a float.
"""

from .views import register  # noqa: F401
