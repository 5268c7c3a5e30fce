"""Populations for the demo's counts that come without one, so that the disparities page can give their rates.

The youth justice services' first-time-entrant counts (YJS-FTE-*, targets/demo.py) are counts of children
aged 10 to 17 with no denominator. Their population is derived from the demo's own figures, the way the demo
makes the denominators of FTE10-17 (the same children, counted by the police): the area's population times
the share aged 10 to 17, rounded, times each ethnic group's share, rounded. So both series divide by the same
synthetic populations. Used only for observations flagged is_demo; real figures bring their own denominators.
"""

from __future__ import annotations

DEMO_COUNTS_OF_CHILDREN = "YJS-FTE-"  # indicator codes starting with this count children aged 10 to 17
POPULATION_NOTE = (
    "The populations of these counts are synthetic too: the demo's children aged 10 to 17 in the area, split "
    "by ethnic group in the demo's shares."
)


def demo_population(*, indicator_code: str, area_code: str, group: str | None) -> int | None:
    """The demo's population behind a count without a denominator (None when the demo has none): `group` an
    ethnic group, or None for everyone."""
    if not indicator_code.startswith(DEMO_COUNTS_OF_CHILDREN):
        return None
    # NOTE: imported here, not at the top: targets.demo registers the demo's seed steps when imported, which
    # only a demo page showing a demo count needs.
    from .demo import AGE_SHARE, ETHNIC_SHARE, POPULATION

    people = POPULATION.get(area_code)
    if people is None or (group is not None and group not in ETHNIC_SHARE):
        return None
    children = round(people * AGE_SHARE["10-17"])
    return children if group is None else round(children * ETHNIC_SHARE[group])
