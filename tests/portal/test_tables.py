"""Wide tables scroll in their own region (templates/_tables.html) and say so on a narrow screen."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import engines

BUILT_CSS = Path(__file__).resolve().parents[2] / "static" / "build" / "portal.css"
HINT = "Scroll sideways to see the whole table"


def _region() -> str:
    source = (
        '{% from "_tables.html" import scroll_region %}{% call scroll_region("people-caption") %}'
        '<table class="govuk-table"><caption id="people-caption" class="govuk-table__caption">People</caption></table>'
        "{% endcall %}"
    )
    return engines["jinja2"].from_string(source).render({})


def test_a_scrolling_region_is_focusable_named_by_its_caption_and_says_it_scrolls():
    html = _region()
    assert '<div class="app-table-scroll" role="region" aria-labelledby="people-caption" tabindex="0">' in html
    assert f'<p class="govuk-body-s app-table-scroll__hint">{HINT}</p>' in html
    # The hint comes before the table, inside the wrapper that static/js/portal.js marks.
    assert html.index(HINT) < html.index("<table") and html.startswith('<div class="app-table-scroll-wrapper">')


def test_the_hint_shows_on_narrow_screens_or_when_the_script_finds_the_table_too_wide():
    css = BUILT_CSS.read_text()
    assert re.search(r"\.app-table-scroll__hint\{display:none;", css)
    assert re.search(r"@media ?\(max-width: ?40\.0525em\) ?\{\.app-table-scroll__hint\{display:block\}\}", css)
    assert ".app-table-scroll-wrapper[data-overflows=false] .app-table-scroll__hint{display:none}" in css
    assert ".app-table-scroll-wrapper[data-overflows=true] .app-table-scroll__hint{display:block}" in css
    assert "no-repeat local" in css  # the scroll shadows: covers that move with the table


def test_every_page_makes_its_scrolling_regions_with_the_macro():
    """So that each one says it scrolls; a region written by hand would not."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    by_hand = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if path.name != "_tables.html" and 'class="app-table-scroll"' in path.read_text()
    ]
    assert not by_hand, f"use scroll_region from _tables.html in {by_hand}"
