"""The permission matrix's rows for the public grants pages and the 360Giving data (tests/test_permission_matrix.py
adds them): route name -> (outcomes, kind, method) in that module's terms.

Everyone reads them, signed in or not: the grants page and its downloads under the public register, and the same
data from the API without a session or a token. None names an object.
"""

PUBLIC_ROUTE = "200 | 200 | 200 | 200 | 200 | 200"

PUBLIC: dict[str, tuple] = {
    "grants:index": (PUBLIC_ROUTE, None, "get"),
    "grants:json": (PUBLIC_ROUTE, None, "get"),
    "grants:csv": (PUBLIC_ROUTE, None, "get"),
    "api:grants-360giving": (PUBLIC_ROUTE, None, "get"),
}
