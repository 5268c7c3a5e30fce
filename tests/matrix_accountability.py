"""The permission matrix's rows for the mutual-accountability pages (tests/test_permission_matrix.py adds them):
route name -> (outcomes, kind, method) in that module's terms (roles: officer | signatory | board | PCC officer |
PCC | anonymous; kind "partner": the council (own), the police (sharing), probation (other)).

Every signed-in role opens every partner's page, whichever partner it is at: the duties are mutual, and the
board holds each partner to account for them. What a page counts is filtered for the viewer (the items they may
open on each app's own pages; "Hidden" where they may see none), which tests/partners/test_accountability.py
checks figure by figure.
"""

EVERYONE = "200 | 200 | 200 | 200 | 200 | login"

PAGES: dict[str, tuple] = {
    "partners:accountability": (EVERYONE, None, "get"),
    "partners:partner-accountability": (EVERYONE, "partner", "get"),
}
