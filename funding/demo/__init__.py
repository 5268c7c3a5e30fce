"""Demo devolved funds (seed step 68), made through the services and dated from the seeding day back to when each
thing is meant to have happened (the services stamp the time they run, which only the demo changes):

- the four funds of the current financial year (rape victim support, ring-fenced; VAWG programmes; retained fixed
  penalty fines; proceeds of crime), each with its budget and income: a Ministry of Justice grant, a Home Office
  grant, the fines retained each month and the proceeds of crime received each quarter;
- the applicants: Victim Support and Birmingham City Council (partners: `victims.officer` and
  `council.birmingham.officer` apply for them), two charities and a company (registered providers);
- the 18-25 offending prevention programme (led by Probation) and the early help pathfinder (led by Birmingham YJS),
  linked to the board's targets;
- a round open for applications (VAWG community projects: two drafts and one submitted);
- a round in assessment (rape victim support: three applications, scored by `pcc.officer`, who declared a conflict
  on one);
- two earlier rounds whose grants the Commissioner (`pcc`) awarded and declined, now being paid: Victim Support's
  advisers (one spend return in, the next one LATE: the only late return) and three pathfinder grants (their
  returns in), with instalments paid and some due in the next few working days.

The grants being paid were awarded in the quarter before the last one whose spend return is overdue, and early in
that one: they come from the funds of the year they were awarded in (last year's, early in a financial year). What
it makes is in content.py; how, in steps.py.
"""

from .steps import seed_funding  # noqa: F401 (registers step 68)
