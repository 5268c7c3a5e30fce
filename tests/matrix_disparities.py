"""The permission matrix's row for an indicator's disparities page (tests/test_permission_matrix.py adds it):
route name -> (outcomes, kind, method) in that module's terms (roles: officer | signatory | board | PCC officer |
PCC | anonymous; per-kind triples own,sharing,other).

Indicator definitions go to every role, so the page opens for each (200) and says what it may show: the figures
by ethnicity to whoever may see the indicator's breakdowns, else that the breakdown is not shared with their
partner (never a number); anonymous visitors are sent to sign in. In the matrix's world the three indicators are
broken down by sex only, so each role is told the indicator is not broken down by ethnicity; who sees which
figures is tested in tests/targets/test_disparities.py.
"""

PAGES: dict[str, tuple] = {
    "targets:indicator-disparities": ("200 | 200 | 200 | 200 | 200 | login", "indicator", "get"),
}
