"""The devolved funds' API (/api/v1/funds/, /api/v1/rounds/, /api/v1/applications/, /api/v1/awards/): reads
through funding.selectors, writes through funding.services.

Whoever may not see a row gets 404 for it, exactly as on the pages; a fund's position is for the PCC office and
board members (an empty list for anyone else, and 403 for one fund). Step-up actions (awarding and declining an
application, cancelling an award) need a second factor confirmed in the last 15 minutes, so API tokens are
refused (403). Money is a string with two decimals, never a float.
"""

from .views import register  # noqa: F401
