"""The permission matrix's rows for the devolved funds' pages (tests/test_permission_matrix.py adds them): route
name -> (outcomes, kind, method) in that module's terms. The world is tests/matrix_funding_world.py's: own is the
council's (the viewers' partner), sharing the police's, other probation's; one fund for every variant; rounds:
own open, sharing in assessment, other a draft; applications: own the council's draft, sharing and other
submitted to the round in assessment; awards: each partner's, being paid (published).

Funding is guarded through the applying organisation, never through data sharing: an applicant's officers and
signatories see their own applications and awards; board members fund positions and published awards; the PCC
office everything, the Commissioner alone awards, declines and cancels. Pages are read with GET: a form shown
is 200; a row in a state its action does not start from sends the person back to it (302).
"""

ALL = "200 | 200 | 200 | 200 | 200 | login"
OFFICE = "403 | 403 | 403 | 200 | 200 | login"  # the PCC office's pages (funds.manage)
FUND_VIEW = "403 | 403 | 200 | 200 | 200 | login"
# a round: open and in assessment for everyone; a draft the office's only
ROUND_OFFICE_ONLY = "403,403,404 | 403,403,404 | 403,403,404 | {office} | {office} | login"
# an application: the applicant's own (own); the office every one; board members none
APPLICATION = "200,404,404 | 200,404,404 | 404 | 200 | 200 | login"
APPLICANT_ACTION = "200,404,404 | 200,404,404 | 404 | 403 | 403 | login"  # the draft's own officers
ASSESSOR_ACTION = "403,404,404 | 403,404,404 | 404 | {office} | {office} | login"
COMMISSIONER_ACTION = "403,404,404 | 403,404,404 | 404 | 403 | 302,200,200 | login"

PAGES: dict[str, tuple] = {
    "funding:index": (ALL, None, "get"),
    "funding:funds": (FUND_VIEW, None, "get"),
    "funding:fund-create": (OFFICE, None, "get"),
    "funding:fund": (FUND_VIEW, "fund", "get"),
    "funding:fund-export": (FUND_VIEW, "fund_fmt", "get"),
    "funding:income-record": (OFFICE, "fund", "get"),
    "funding:round-create": (OFFICE, "fund", "get"),
    "funding:rounds": (ALL, None, "get"),
    "funding:round": ("200,200,404 | 200,200,404 | 200,200,404 | 200 | 200 | login", "round", "get"),
    "funding:round-open": (ROUND_OFFICE_ONLY.format(office="302,302,200"), "round", "get"),
    "funding:round-assess": (ROUND_OFFICE_ONLY.format(office="200,302,302"), "round", "get"),
    "funding:round-close": (ROUND_OFFICE_ONLY.format(office="302,200,302"), "round", "get"),
    # the applicant's officers apply to the open round; in assessment it sends them back to the round
    "funding:application-draft": (
        "200,302,404 | 200,302,404 | 403,403,404 | 403 | 403 | login",
        "round",
        "get",
    ),
    "funding:moderation": (ROUND_OFFICE_ONLY.format(office="200"), "round", "get"),
    "funding:moderation-export": (ROUND_OFFICE_ONLY.format(office="200"), "round_fmt", "get"),
    "funding:applications": ("200 | 200 | 403 | 200 | 200 | login", None, "get"),
    "funding:application": (APPLICATION, "application", "get"),
    "funding:application-edit": (APPLICANT_ACTION, "application", "get"),
    "funding:application-documents": (APPLICANT_ACTION, "application", "get"),
    # only own has a document
    "funding:application-attachment": (
        "200,404,404 | 200,404,404 | 404 | 200,404,404 | 200,404,404 | login",
        "application_attachment",
        "get",
    ),
    "funding:application-submit": (APPLICANT_ACTION, "application", "get"),
    "funding:application-withdraw": (APPLICANT_ACTION, "application", "get"),
    # a draft is not assessed (back to it); the submitted ones are
    "funding:application-assess": (ASSESSOR_ACTION.format(office="302,200,200"), "application", "get"),
    "funding:application-conflict": (ASSESSOR_ACTION.format(office="200"), "application", "get"),
    "funding:application-award": (COMMISSIONER_ACTION, "application", "get"),
    "funding:application-decline": (COMMISSIONER_ACTION, "application", "get"),
    "funding:awards": (ALL, None, "get"),
    "funding:award-export": (ALL, "fmt", "get"),
    # the grantee its own; board members the published ones (all three are); the office every one
    "funding:award": ("200,404,404 | 200,404,404 | 200 | 200 | 200 | login", "award", "get"),
    "funding:award-cancel": ("403,404,404 | 403,404,404 | 403 | 403 | 200 | login", "award", "get"),
    "funding:instalment-pay": ("403,404,404 | 403,404,404 | 403 | 200 | 200 | login", "instalment", "get"),
    # the grantee's own return, its quarter over: the form
    "funding:spend-return": ("200,404,404 | 200,404,404 | 403 | 403 | 403 | login", "spend_return", "get"),
    "funding:programmes": (ALL, None, "get"),
    "funding:programme-create": (OFFICE, None, "get"),
    "funding:programme": (ALL, "programme", "get"),
    "funding:organisations": (OFFICE, None, "get"),
    "funding:organisation-register": (OFFICE, None, "get"),
}
