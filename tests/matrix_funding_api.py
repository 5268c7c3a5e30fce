"""The permission matrix's rows for the devolved funds' API (tests/test_permission_matrix.py adds them): route name
-> (outcomes, kind, method[, data]) in that module's terms (kinds: fund, round, application, award, instalment,
spend_return).

The world (tests/matrix_funding_world.py): one fund; rounds: own open for applications, sharing in assessment,
other a draft; applications: own the council's draft in the open round, sharing and other the police's and
probation's, in assessment; awards: each partner's grant (being paid: one instalment paid, one due in 14 days),
whose first quarter has not ended.

The API reads through the selectors (a row the caller may not see is 404) and each write calls its service and
lets its refusal speak: 403 for a role or organisation it is not theirs to act for, 400 for a state it cannot be
done in. A fund's position is for the PCC office and board members: an empty list for anyone else, and 403 for
one fund. POSTs carry a JSON body good enough to reach the service.
"""

from datetime import date, timedelta

API = "200 | 200 | 200 | 200 | 200 | 401"
# Rounds that have opened (own, sharing) for everyone; drafts (other) for the PCC office too.
ROUNDS = "200,200,404 | 200,200,404 | 200,200,404 | 200 | 200 | 401"
# Applications: the applicant's officers and signatories their own; none for board members; every one for the
# PCC office.
APPLICATIONS = "200,404,404 | 200,404,404 | 404 | 200 | 200 | 401"
# What the PCC office does to a round: everyone else who may see it is refused.
ROUND_ACTION = "403,403,404 | 403,403,404 | 403,403,404 | {office} | {office} | 401"
# What the applicant does to its own application (the council's draft): the PCC office may see it, not do it.
APPLICANT = "200,404,404 | 200,404,404 | 404 | 403 | 403 | 401"
# Assessment by the PCC office, of applications in assessment (sharing, other); the council's draft is not (400).
ASSESSOR = "403,404,404 | 403,404,404 | 404 | 400,200,200 | 400,200,200 | 401"
# The Commissioner's (step-up): the PCC office's officers are refused; the council's draft is not submitted (400).
COMMISSIONER = "403,404,404 | 403,404,404 | 404 | 403 | 400,{done},{done} | 401"
SOON = (date.today() + timedelta(days=14)).isoformat()

API: dict[str, tuple] = {
    # --- Funds: their positions for the PCC office and board members -----------------------------------------
    "api:fund-list": (API, None, "get"),
    "api:fund-detail": ("403 | 403 | 200 | 200 | 200 | 401", "fund", "get"),
    # --- Rounds ----------------------------------------------------------------------------------------------
    "api:round-list": (API, None, "get"),
    "api:round-detail": (ROUNDS, "round", "get"),
    # only a draft (other) is opened; only an open round (own) goes to assessment; one in assessment (sharing)
    # closes once its applications are decided (they are not)
    "api:round-open": (ROUND_ACTION.format(office="400,400,200"), "round", "post"),
    "api:round-assess": (ROUND_ACTION.format(office="200,400,400"), "round", "post"),
    "api:round-close": (ROUND_ACTION.format(office="400"), "round", "post"),
    # --- Applications ----------------------------------------------------------------------------------------
    "api:application-list": (API, None, "get"),
    "api:application-detail": (APPLICATIONS, "application", "get"),
    "api:application-submit": (APPLICANT, "application", "post", {"meets_eligibility": True}),
    "api:application-withdraw": (APPLICANT, "application", "post"),
    "api:application-scores": (
        ASSESSOR,
        "application",
        "post",
        {"criterion": "Need", "score": 4, "rationale": "A clear gap in support."},
    ),
    "api:application-conflict": (ASSESSOR, "application", "post", {"reason": "I sit on its board."}),
    "api:application-award": (
        COMMISSIONER.format(done="201"),
        "application",
        "post",
        {"amount": "10000.00", "instalments": [{"due_on": SOON, "amount": "10000.00"}], "reasons": "Good value."},
    ),
    "api:application-decline": (COMMISSIONER.format(done="200"), "application", "post", {"reasons": "Out of scope."}),
    # --- Awards: the grantee's own, every one for board members and the PCC office ------------------------------
    "api:award-list": (API, None, "get"),
    "api:award-detail": ("200,404,404 | 200,404,404 | 200 | 200 | 200 | 401", "award", "get"),
    # the Commissioner cancels (step-up); the PCC office records payments (the unpaid instalment, whole)
    "api:award-cancel": (
        "403,404,404 | 403,404,404 | 403 | 403 | 200 | 401",
        "award",
        "post",
        {"reasons": "The service closed."},
    ),
    "api:award-instalment-pay": ("403,404,404 | 403,404,404 | 403 | 200 | 200 | 401", "instalment", "post", {}),
    # the grantee's officers and signatories return the spend once the quarter has ended (own's has)
    "api:award-spend-return-submit": (
        "200,404,404 | 200,404,404 | 403 | 403 | 403 | 401",
        "spend_return",
        "post",
        {"spend": "100.00", "outcomes": "Recruited the advisers."},
    ),
}
