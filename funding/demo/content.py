"""What the demo's funds hold: the applicants, programmes, funds and their income, and the applications to each
round (funding/demo/steps.py makes them through the services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from portal.formats import gov_date
from portal.working_days import next_working_day

from ..models import Fund

K = Fund.Kind
BIRMINGHAM, FORCE_AREA = "E08000025", "E23000014"
NEEDED_PARTNERS = {"victim-support-west-midlands", "birmingham-council", "probation-west-midlands", "birmingham-yjs"}
PEOPLE = ("pcc", "pcc.officer", "victims.officer", "council.birmingham.officer")

# key, name, org-id, partner slug (None: a registered provider), charity number, company number
ORGANISATIONS = [
    ("victims", "Victim Support", "GB-CHC-298028", "victim-support-west-midlands", "298028", ""),
    ("council", "Birmingham City Council", "GB-LAE-BIR", "birmingham-council", "", ""),
    ("safer", "Safer Futures West Midlands", "GB-CHC-1190421", None, "1190421", ""),
    ("paths", "Brighter Paths Mentoring", "GB-CHC-1187354", None, "1187354", ""),
    ("chance", "Second Chance Employment Ltd", "GB-COH-11836602", None, "", "11836602"),
]
# key, name, slug, lead partner, what it is, the targets it serves (indicator codes, owner)
PROGRAMMES = [
    (
        "18-25",
        "18-25 offending prevention programme",
        "18-25-offending-prevention",
        "probation-west-midlands",
        "Mentoring, work and training for young adults aged 18 to 25 on the edge of the justice system or leaving "
        "custody, so that fewer enter it and fewer reoffend.",
        (["FTE18-25", "REOFF-ADULT"], "probation-west-midlands"),
    ),
    (
        "early-help",
        "Early help pathfinder",
        "early-help-pathfinder",
        "birmingham-yjs",
        "Early help hubs in Birmingham for children at risk of exploitation, before they come to notice.",
        (["FTE10-17", "YJS-FTE-BIR"], "birmingham-yjs"),
    ),
]
# kind: name, ring-fenced, budget
FUNDS = {
    K.RAPE_VICTIM_SUPPORT: ("Rape victim support", True, "250000.00"),
    K.VAWG: ("Violence against women and girls programmes", False, "500000.00"),
    K.FIXED_PENALTIES: ("Retained fixed penalty fines", False, "120000.00"),
    K.PROCEEDS_OF_CRIME: ("Proceeds of crime", False, "200000.00"),
}
CRITERIA = [("Need and evidence", 40), ("Deliverability", 30), ("Value for money", 20), ("Working with partners", 10)]


class Ask(NamedTuple):
    """An application in the demo: by whom, for what, and when it was submitted (working days after its round
    opened; in the open round, working days before the seeding day)."""

    org: str
    title: str
    summary: str
    amount: str
    day: int
    marks: tuple[int, ...] = ()  # pcc.officer's score on each criterion, in order
    submit: bool = True
    programme: str = ""
    area: str = FORCE_AREA


SURVIVORS = "Organisations supporting victims and survivors of rape and sexual abuse in the West Midlands."
# Decided rounds: the last application of each is declined, the others awarded what they asked for.
ADVISERS = [
    Ask(
        "victims",
        "Independent sexual violence advisers",
        "Four advisers supporting survivors from the first report to the end of the trial.",
        "96000.00",
        10,
        (5, 4, 4, 5),
    ),
    Ask(
        "safer",
        "Out-of-hours helpline for survivors",
        "A helpline from 6pm to 8am, staffed by trained volunteers.",
        "60000.00",
        15,
        (3, 2, 3, 3),
    ),
]
PATHFINDERS = [
    Ask(
        "paths",
        "Mentors for young adults leaving custody",
        "Mentors who meet young adults at the prison gate and stay with them for their first year out.",
        "60000.00",
        8,
        (5, 4, 4, 4),
        programme="18-25",
    ),
    Ask(
        "chance",
        "Jobs and training for 18 to 25 year olds on probation",
        "Paid placements and training with local employers for young adults on probation.",
        "45000.00",
        12,
        (4, 4, 5, 3),
        programme="18-25",
    ),
    Ask(
        "council",
        "Early help hubs for children at risk of exploitation",
        "Three hubs in Birmingham where children at risk and their families get help fast.",
        "75000.00",
        16,
        (5, 5, 3, 5),
        programme="early-help",
        area=BIRMINGHAM,
    ),
    Ask(
        "safer",
        "Street outreach in Walsall town centre",
        "Evening street outreach to people of every age.",
        "40000.00",
        20,
        (2, 3, 2, 2),
    ),
]
# The round in assessment: the second application is the one pcc.officer declared a conflict on.
COUNSELLING = [
    Ask(
        "victims",
        "Advisers for children and young people who are survivors",
        "Two advisers working with schools and the sexual assault referral centre.",
        "72000.00",
        6,
        (5, 4, 3, 4),
    ),
    Ask(
        "safer",
        "Trauma-informed counselling for survivors",
        "Up to 20 sessions for each survivor, with no wait over six weeks.",
        "55000.00",
        14,
    ),
    Ask(
        "council",
        "Survivor support workers in Birmingham's sexual health clinics",
        "Support workers in the clinics, so that survivors who disclose there are helped at once.",
        "48000.00",
        22,
        (4, 3),
        area=BIRMINGHAM,
    ),
]
PROJECTS = [  # the open round: one submitted, two drafts
    Ask(
        "paths",
        "A healthy relationships course for young men",
        "A ten-week course run with schools and youth clubs.",
        "28000.00",
        2,
    ),
    Ask(
        "council",
        "Safe spaces in Birmingham city centre at night",
        "Staffed safe spaces on Friday and Saturday nights, with transport home.",
        "35000.00",
        3,
        submit=False,
        area=BIRMINGHAM,
    ),
    Ask(
        "victims",
        "Advocates for Black and minoritised women",
        "Two independent domestic violence advocates working with Black and minoritised women's groups.",
        "38000.00",
        1,
        submit=False,
    ),
]
RATIONALE = {
    5: "Strong evidence of need, and a clear plan to meet it.",
    4: "Good: a sound case, with some detail to firm up.",
    3: "Adequate: the case is made, but the evidence is thin.",
    2: "Weak: the application does not show how this would be met.",
}
ACTING_FOR = {"victim-support-west-midlands": "victims.officer", "birmingham-council": "council.birmingham.officer"}

ADVISERS_DONE = "112 survivors supported; 38 kept engaged through to trial; two advisers in post and two recruiting."
PATHFINDER_DONE = "Staff in post and the first referrals taken; the partners' referral route agreed."


def income(kind: str, start: date, today: date) -> list[tuple[date, str, str, str]]:
    """What came into a fund from the start of its year to today (at least one receipt, on its first day):
    (received on, source, amount, reference)."""
    months = [date(start.year + (start.month + m - 1) // 12, (start.month + m - 1) % 12 + 1, 1) for m in range(12)]
    months = [m for m in months if m <= today]
    on = {m: min(next_working_day(m), today) for m in months}  # received on its first working day
    label = f"{start.year}-{(start.year + 1) % 100:02d}"
    if kind == K.RAPE_VICTIM_SUPPORT:
        return [
            (on[m], "Ministry of Justice: rape and sexual abuse support grant", "190000.00", f"MOJ-{label}-{n}")
            for n, m in enumerate(months[::6], start=1)
        ]
    if kind == K.VAWG:
        return [(on[months[0]], "Home Office: domestic abuse and VAWG grant", "240000.00", f"HO-VAWG-{label}")]
    if kind == K.FIXED_PENALTIES:
        return [
            (
                on[m],
                f"Fixed penalty fines retained: {(m - timedelta(days=1)).strftime('%B %Y')}",
                f"{14000 + (m.month * 2371) % 9000}.{m.month * 7 % 100:02d}",
                f"FPN-{(m - timedelta(days=1)).strftime('%Y-%m')}",
            )
            for m in months
        ]
    return [
        (
            on[m],
            f"Proceeds of crime (asset recovery incentive scheme): quarter to {gov_date(m - timedelta(days=1))}",
            f"{38000 + (m.month * 5113) % 12000}.{m.month * 13 % 100:02d}",
            f"ARIS-{(m - timedelta(days=1)).strftime('%Y-%m')}",
        )
        for m in months[::3]
    ]
