"""The permission matrix's rows for the PCC's powers' API and the public register (tests/test_permission_matrix.py
adds them): route name -> (outcomes, kind, method[, data]) in that module's terms (kinds: decision, callin,
pcc_decision, appointment, callin_public, pcc_decision_public).

The world (tests/test_permission_matrix.py `_powers`): own, the council's decision, called in (the call-in issued,
a response saved, not submitted); sharing, the police's, called in the same way; other, probation's decision, a
call-in of it drafted. PCC decisions: own signed, sharing signed and confidential, other a draft. Each partner's
senior appointment waits for the PCC's view (due in 10 working days).

The API reads through the selectors (a row the caller may not see is 404), and each write calls its service and
lets its refusal speak: 403 for a role or partner it is not theirs to act for, 400 for a state it cannot be done
in. POSTs carry a JSON body (the API takes no other) good enough to reach the service. Everyone may read the register, signed in or not; a
draft is 404 there, a confidential item 200 (its number, date and partner only).
"""

API = "200 | 200 | 200 | 200 | 200 | 401"
PUBLIC = "200 | 200 | 200 | 200 | 200 | 200"
PUBLISHED = "200,200,404 | 200,200,404 | 200,200,404 | 200,200,404 | 200,200,404 | 200,200,404"
# Decisions and appointments: the partner's officers and signatories see its own; board members see none; the
# PCC office sees every one.
PARTNER_ROWS = "200,404,404 | 200,404,404 | 404 | 200 | 200 | 401"
# Call-ins: the partner's own once issued (board members too); the PCC office every one, drafts included.
CALLIN_ROWS = "200,404,404 | 200,404,404 | 200,404,404 | 200 | 200 | 401"
# Only the Commissioner acts (issue, determine, withdraw); the PCC office's officers are refused.
COMMISSIONER = "403,404,404 | 403,404,404 | 403,404,404 | 403 | {pcc} | 401"

API_AND_REGISTER: dict[str, tuple] = {
    # --- Partners' decisions ----------------------------------------------------------------------------
    "api:decision-list": (API, None, "get"),
    "api:decision-detail": (PARTNER_ROWS, "decision", "get"),
    # its officers and signatories log and update it; called in, it cannot take effect nor be reconsidered (400)
    "api:decision-take-effect": ("400,404,404 | 400,404,404 | 404 | 403 | 403 | 401", "decision", "post", {}),
    "api:decision-outcome": (
        "400,404,404 | 400,404,404 | 404 | 403 | 403 | 401",
        "decision",
        "post",
        {"outcome": "confirmed", "outcome_text": "We went ahead as planned."},
    ),
    # the Commissioner waives, never a decision called in (own, sharing) or with a call-in drafted (other)
    "api:decision-waive": (
        "403,404,404 | 403,404,404 | 404 | 403 | 400 | 401",
        "decision",
        "post",
        {"reasons": "Nothing to add."},
    ),
    # --- Call-ins ------------------------------------------------------------------------------------------
    "api:callin-list": (API, None, "get"),
    "api:callin-detail": (CALLIN_ROWS, "callin", "get"),
    # the PCC office discards a draft (other); issued ones are not drafts (400)
    "api:callin-discard": (
        "403,404,404 | 403,404,404 | 403,404,404 | 400,400,204 | 400,400,204 | 401",
        "callin",
        "post",
    ),
    # the Commissioner issues a draft (other) within its decision's window
    "api:callin-issue": (COMMISSIONER.format(pcc="400,400,200"), "callin", "post"),
    # the partner's officers and signatories write its response while the call-in waits for it
    "api:callin-response": (
        "200,404,404 | 200,404,404 | 403,404,404 | 403 | 403 | 401",
        "callin",
        "post",
        {"response_text": "Our answer."},
    ),
    # its signatory submits it (a response is saved on own)
    "api:callin-submit": ("403,404,404 | 200,404,404 | 403,404,404 | 403 | 403 | 401", "callin", "post", {}),
    # determined only once the partner has responded (none has)
    "api:callin-determine": (
        COMMISSIONER.format(pcc="400"),
        "callin",
        "post",
        {"outcome": "stands", "reasons": "The decision was sound."},
    ),
    # an issued call-in is withdrawn (own, sharing); a draft is discarded instead (400)
    "api:callin-withdraw": (
        COMMISSIONER.format(pcc="200,200,400"),
        "callin",
        "post",
        {"reasons": "The partner has answered our concerns."},
    ),
    # --- The PCC's decisions: signed ones (own) to everyone signed in; confidential (sharing) and drafts (other)
    # to the PCC office ---------------------------------------------------------------------------------------
    "api:pcc-decision-list": (API, None, "get"),
    "api:pcc-decision-detail": (CALLIN_ROWS, "pcc_decision", "get"),
    "api:pcc-decision-sign": (COMMISSIONER.format(pcc="400,400,200"), "pcc_decision", "post"),
    # --- Senior appointments (each consulted, the PCC's view not yet due) ----------------------------------
    "api:appointment-list": (API, None, "get"),
    "api:appointment-detail": (PARTNER_ROWS, "appointment", "get"),
    # its officers record its stages; consulted already, it is past the shortlist and the consultation (400)
    "api:appointment-shortlist": (
        "400,404,404 | 403,404,404 | 404 | 403 | 403 | 401",
        "appointment",
        "post",
        {"candidate": "A Candidate"},
    ),
    "api:appointment-consult": ("400,404,404 | 403,404,404 | 404 | 403 | 403 | 401", "appointment", "post", {}),
    # not confirmed before the PCC's view is recorded or its deadline has passed (400)
    "api:appointment-confirm": ("400,404,404 | 403,404,404 | 404 | 403 | 403 | 401", "appointment", "post"),
    "api:appointment-withdraw": (
        "200,404,404 | 403,404,404 | 404 | 403 | 403 | 401",
        "appointment",
        "post",
        {"reasons": "The post is no longer needed."},
    ),
    # the PCC office records the PCC's view
    "api:appointment-view": (
        "403,404,404 | 403,404,404 | 404 | 200 | 200 | 401",
        "appointment",
        "post",
        {"view": "support"},
    ),
    # --- The public register: anyone, signed in or not ----------------------------------------------------
    "register:index": (PUBLIC, None, "get"),
    "register:pcc-decisions": (PUBLIC, None, "get"),
    "register:pcc-decision": (PUBLISHED, "pcc_decision_public", "get"),
    "register:callins": (PUBLIC, None, "get"),
    "register:callin": (PUBLISHED, "callin_public", "get"),
    "register:feed": (PUBLIC, None, "get"),
    "register:csv": (PUBLIC, None, "get"),
}
