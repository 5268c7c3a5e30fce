"""A section's Markdown: images refused with a message (and never shown), bare web addresses made links,
tables styled as GOV.UK tables in a region that scrolls sideways, code blocks that wrap at 320 px, and a PDF
that says where each link points."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from targets.plans import services
from targets.plans.markdown import check_markdown, markdown_problems, render_markdown, sanitise
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_plan

from .conftest import version_url


def _html(text: str) -> str:
    return str(render_markdown(text))


# --- Images ---------------------------------------------------------------------------------------------
def test_an_image_is_refused_with_a_message_that_says_what_to_do():
    problems = markdown_problems("The wards we patrol:\n\n![Map of the wards](https://example.org/map.png)")
    assert problems == [
        "Images cannot be shown in a plan section: take out ![Map of the wards](https://example.org/map.png) and "
        "attach the picture as a supporting document instead"
    ]
    with pytest.raises(ValidationError) as refused:
        check_markdown("![Map](map.png)")
    assert refused.value.message_dict == {"body": [markdown_problems("![Map](map.png)")[0]]}


def test_several_images_are_named_in_one_message():
    (message,) = markdown_problems("![a](a.png) and ![b](b.png) and [a link ![c](c.png)](https://example.org)")
    assert "take out the 3 images (![a](a.png), ![b](b.png), ![c](c.png))" in message
    assert message.endswith("attach the pictures as supporting documents instead")


@pytest.mark.parametrize(
    "text",
    [
        "No pictures here, only [a link](https://example.org).",
        "Image syntax in code: `![not an image](x.png)`",
        "    ![in an indented code block](x.png)",
        r"An escaped \![not an image](x.png)",
        "",
    ],
    ids=["link", "code-span", "code-block", "escaped", "empty"],
)
def test_what_only_looks_like_an_image_is_not_refused(text):
    assert markdown_problems(text) == []
    check_markdown(text)


def test_an_image_already_saved_shows_as_its_alt_text_never_as_a_picture():
    html = _html("Before ![Map of the wards](https://example.org/map.png) after")
    assert "<img" not in html and "map.png" not in html
    assert html == '<p class="govuk-body">Before Map of the wards after</p>\n'


# --- Links ------------------------------------------------------------------------------------------------
def test_bare_web_addresses_become_links_marked_as_bare():
    html = _html("See https://www.gov.uk/guidance?a=1&b=2, www.cps.gov.uk or email pcc@example.org.")
    assert (
        '<a href="https://www.gov.uk/guidance?a=1&amp;b=2" class="govuk-link app-link--bare" '
        'rel="noopener noreferrer">https://www.gov.uk/guidance?a=1&amp;b=2</a>,' in html
    )
    assert '<a href="http://www.cps.gov.uk" class="govuk-link app-link--bare"' in html
    assert '<a href="mailto:pcc@example.org" class="govuk-link app-link--bare"' in html


def test_a_link_with_its_own_words_is_not_bare_and_one_written_as_its_address_is():
    html = _html(
        "[the guidance](https://www.gov.uk/guidance) and <https://example.org> and [https://a.org](https://a.org)"
    )
    assert '<a href="https://www.gov.uk/guidance" class="govuk-link" rel' in html
    assert '<a href="https://example.org" class="govuk-link app-link--bare"' in html
    assert '<a href="https://a.org" class="govuk-link app-link--bare"' in html


@pytest.mark.parametrize(
    "text,words",
    [
        ("Read README.md first", "README.md"),
        ("ftp://files.example.org/plan", "ftp://files.example.org/plan"),
        ("//example.org/plan", "//example.org/plan"),
        ("[the files](ftp://files.example.org)", "the files"),
        ("[run](javascript:alert(1))", "[run](javascript:alert(1))"),
    ],
    ids=["file-name", "ftp", "protocol-relative", "ftp-link", "javascript"],
)
def test_only_http_https_and_mailto_addresses_become_links(text, words):
    html = _html(text)
    assert "<a" not in html and words in html


# --- Tables -----------------------------------------------------------------------------------------------
def test_a_table_is_a_govuk_table_in_a_region_that_scrolls_sideways():
    html = _html("| Ward | Patrols |\n|---|--:|\n| Aston | 12 |\n")
    assert html.startswith(
        '<div class="app-table-scroll-wrapper"><p class="govuk-body-s app-table-scroll__hint">Scroll sideways to see '
        'the whole table</p>\n<div class="app-table-scroll" role="region" tabindex="0" aria-label="Table, scrolls '
        'sideways: Ward, Patrols">'
    )
    for tag in (
        '<table class="govuk-table">\n<caption class="govuk-table__caption govuk-visually-hidden">'
        "Table with the columns Ward, Patrols</caption>",
        '<thead class="govuk-table__head">',
        '<tbody class="govuk-table__body">',
        '<tr class="govuk-table__row">',
        '<th class="govuk-table__header" scope="col">Ward</th>',
        '<th class="govuk-table__header govuk-table__header--numeric" scope="col">Patrols</th>',
        '<td class="govuk-table__cell">Aston</td>',
        '<td class="govuk-table__cell govuk-table__cell--numeric">12</td>',
    ):
        assert tag in html, tag
    assert html.rstrip().endswith("</table>\n</div></div>")
    assert "style=" not in html


def test_an_author_cannot_set_a_class_or_an_attribute():
    html = _html('<p class="govuk-visually-hidden" onclick="x()">Hidden?</p>\n\n<div role="alert">x</div>')
    assert "&lt;p class=" in html and '<p class="govuk-visually-hidden"' not in html and "<div" not in html
    # and whatever reaches the sanitiser keeps only the class names the renderer uses
    assert sanitise('<p class="govuk-body evil" style="x">Hi</p>') == '<p class="govuk-body">Hi</p>'
    assert sanitise('<div class="app-table-scroll" role="alert" tabindex="-1">x</div>') == (
        '<div class="app-table-scroll">x</div>'
    )


# --- Code blocks wrap at 320 px ---------------------------------------------------------------------------
def test_a_pasted_indented_block_is_a_pre_in_the_section_body_whose_css_wraps_it(plan, police_officer):
    long_line = "Ward-by-ward-figures-" * 12
    html = _html(f"Pasted from the spreadsheet:\n\n    {long_line}\n")
    assert f"<pre><code>{long_line}\n</code></pre>" in html
    scss = Path(django_settings.BASE_DIR, "static/src/portal.scss").read_text()
    rule = re.search(r"\n\.app-plan-section__body \{(.*?)\n\}", scss, re.S)
    assert rule, "portal.scss styles .app-plan-section__body"
    assert "overflow-wrap: anywhere;" in rule.group(1)
    assert re.search(r"pre \{[^}]*white-space: pre-wrap;[^}]*overflow-wrap: anywhere;", rule.group(1))
    section = plan.versions.get().sections.get(title="Policing")
    services.plan_section_update(section=section, body=f"    {long_line}\n", by=SYSTEM)
    for page in (version_url(plan), version_url(plan, rest="print/")):
        text = signed_in(police_officer).get(page).content.decode()
        assert re.search(r'<div class="app-plan-section__body">\s*<pre><code>Ward-by-ward', text), page


# --- Print and PDF: where each link points ------------------------------------------------------------------
def test_the_print_stylesheet_prints_where_a_link_points_unless_its_words_are_the_address():
    css = Path(django_settings.BASE_DIR, "static/css/plan-print.css").read_text()
    assert '.app-plan-section__body a[href^="http"]:not(.app-link--bare)::after' in css
    assert 'content: " (" attr(href) ")";' in css


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF's words")
def test_the_pdf_shows_where_each_link_points(police, probation, police_officer, tmp_path):
    plan = make_plan(
        police,
        [probation],
        sections=[
            (
                "Policing",
                "Read [the stop and search guidance](https://www.college.police.uk/app) and https://bare.example.org/x",
                police,
            )
        ],
    )
    response = signed_in(police_officer).get(version_url(plan, rest="plan.pdf"))
    assert response.status_code == 200
    source = tmp_path / "plan.pdf"
    source.write_bytes(response.content)
    text = " ".join(subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True).stdout.split())
    assert "the stop and search guidance (https://www.college.police.uk/app)" in text
    assert text.count("https://bare.example.org/x") == 1
