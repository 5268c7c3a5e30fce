"""The permission matrix's rows for the PCC's powers' pages (tests/test_permission_matrix.py adds them):
route name -> (outcomes, kind, method[, data]) in that module's terms (roles: officer | signatory | board |
PCC officer | PCC | anonymous; kinds: decision, callin, callin_attachment, pcc_decision, appointment).

The world (test_permission_matrix._powers): own, the council's decision, called in (issued, a response written
with a document); sharing, a police decision, called in the same way; other, probation's decision in its window,
with a draft call-in. PCC decisions: own signed, sharing signed and confidential, other a draft. Appointments:
each partner's, the PCC consulted (its view not due yet).

Who sees what (issue 17, point 6): the deciding partner sees its decisions and the call-ins on them; other
partners see only what is published (the public register, not these pages: 404); the PCC office sees all;
board members see published items and counts, so partners' decisions and appointments are not theirs (404),
while a board member at a partner sees the call-ins published on that partner's decisions. Transitions: 403 for
whoever may never take them on a row they see, back to the row (302) when it is not in a state they start from.
"""

# The decision's own partner's officers and signatories, every one for the PCC office; board members never.
DECIDERS = "200,404,404 | 200,404,404 | 404 | 200 | 200 | login"
# The call-in's partner (its board member too: the call-ins published on its decisions), every one for the office.
CALLIN_SEERS = "200,404,404 | 200,404,404 | 200,404,404 | 200 | 200 | login"
PCC_OFFICE = "403 | 403 | 403 | 200 | 200 | login"

PAGES: dict[str, tuple] = {
    # --- Partners' decisions ------------------------------------------------------------------------------
    "callins:decisions": ("200 | 200 | 403 | 200 | 200 | login", None, "get"),
    # a partner's officers and signatories log its decisions; the PCC office and board members do not
    "callins:decision-log": ("200 | 200 | 403 | 403 | 403 | login", None, "get"),
    "callins:decision": (DECIDERS, "decision", "get"),
    # the council's decision is paused (called in): back to it; the PCC office never records it
    "callins:decision-take-effect": ("302,404,404 | 302,404,404 | 404 | 403 | 403 | login", "decision", "get"),
    "callins:decision-outcome": ("302,404,404 | 302,404,404 | 404 | 403 | 403 | login", "decision", "get"),
    # the Commissioner alone waives; each decision here is called in or has a draft call-in: back to it
    "callins:decision-waive": ("403,404,404 | 403,404,404 | 404 | 403 | 302 | login", "decision", "get"),
    # the PCC office drafts; each decision has its call-in already: on to it
    "callins:callin-draft": ("403,404,404 | 403,404,404 | 404 | 302 | 302 | login", "decision", "get"),
    # --- Call-ins -------------------------------------------------------------------------------------------
    "callins:callins": ("200 | 200 | 200 | 200 | 200 | login", None, "get"),
    "callins:grounds": (PCC_OFFICE, None, "get"),
    "callins:callin": (CALLIN_SEERS, "callin", "get"),
    "callins:callin-attachment": (
        "200,404,404 | 200,404,404 | 200,404,404 | 200,200,404 | 200,200,404 | login",
        "callin_attachment",
        "get",
    ),
    # only a draft (other) is changed, discarded or issued: the issued ones send the office back to them
    "callins:callin-edit": (
        "403,404,404 | 403,404,404 | 403,404,404 | 302,302,200 | 302,302,200 | login",
        "callin",
        "get",
    ),
    "callins:callin-discard": (
        "403,404,404 | 403,404,404 | 403,404,404 | 302,302,200 | 302,302,200 | login",
        "callin",
        "get",
    ),
    "callins:callin-issue": ("403,404,404 | 403,404,404 | 403,404,404 | 403 | 302,302,200 | login", "callin", "get"),
    # the partner's officers and signatories write the response; its signatory submits it
    "callins:callin-respond": ("200,404,404 | 200,404,404 | 403,404,404 | 403 | 403 | login", "callin", "get"),
    "callins:callin-submit": ("403,404,404 | 200,404,404 | 403,404,404 | 403 | 403 | login", "callin", "get"),
    # the Commissioner determines a call-in with its response (none is submitted here: back to it) and
    # withdraws an issued one
    "callins:callin-determine": ("403,404,404 | 403,404,404 | 403,404,404 | 403 | 302 | login", "callin", "get"),
    "callins:callin-withdraw": (
        "403,404,404 | 403,404,404 | 403,404,404 | 403 | 200,200,302 | login",
        "callin",
        "get",
    ),
    # --- The PCC's decisions: signed ones to everyone signed in (a confidential one only to the office) -------
    "callins:pcc-decisions": ("200 | 200 | 200 | 200 | 200 | login", None, "get"),
    "callins:pcc-decision-draft": (PCC_OFFICE, None, "get"),
    "callins:pcc-decision": ("200,404,404 | 200,404,404 | 200,404,404 | 200 | 200 | login", "pcc_decision", "get"),
    # a signed decision is never changed: back to it
    "callins:pcc-decision-edit": (
        "403,404,404 | 403,404,404 | 403,404,404 | 302,302,200 | 302,302,200 | login",
        "pcc_decision",
        "get",
    ),
    "callins:pcc-decision-sign": (
        "403,404,404 | 403,404,404 | 403,404,404 | 403 | 302,302,200 | login",
        "pcc_decision",
        "get",
    ),
    # --- Senior appointments --------------------------------------------------------------------------------
    "callins:appointments": ("200 | 200 | 403 | 200 | 200 | login", None, "get"),
    # a partner's officers record its appointments
    "callins:appointment-open": ("200 | 403 | 403 | 403 | 403 | login", None, "get"),
    "callins:appointment": (DECIDERS, "appointment", "get"),
    # the PCC is consulted already: back to it
    "callins:appointment-shortlist": ("302,404,404 | 403,404,404 | 404 | 403 | 403 | login", "appointment", "get"),
    "callins:appointment-consult": ("302,404,404 | 403,404,404 | 404 | 403 | 403 | login", "appointment", "get"),
    # the PCC's view is not due yet: back to it
    "callins:appointment-appoint": ("302,404,404 | 403,404,404 | 404 | 403 | 403 | login", "appointment", "get"),
    "callins:appointment-withdraw": ("200,404,404 | 403,404,404 | 404 | 403 | 403 | login", "appointment", "get"),
    # the PCC office records the PCC's view
    "callins:appointment-view": ("403,404,404 | 403,404,404 | 404 | 200 | 200 | login", "appointment", "get"),
}
