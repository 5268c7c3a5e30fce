"""Plan sections are written in Markdown: rendered by markdown-it-py (CommonMark and tables, raw HTML off,
bare web addresses made links), then sanitised by nh3 (an allow-list of tags, attributes and class names),
so a section can never carry a script, a picture or a style its author chose.

What the renderer makes is dressed in GOV.UK styles on the way: tables as GOV.UK tables inside a region that
scrolls sideways, links as GOV.UK links (those written as a bare address marked, so print leaves out the
address it would otherwise add after them), and an image as its alt text (images are refused on saving:
`markdown_problems`, as are tables too long to read or print: attached as spreadsheets instead).

A section's HTML is kept in the cache by a hash of its Markdown (`section_html`), made when the section is
saved: the version page, its print page and PDF and the comparison never render the same text twice."""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import markdown_it
import nh3
from django.core.cache import cache
from django.core.exceptions import ValidationError
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

from . import limits

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "a",
    "div",  # only the table's scroll region, which the renderer makes
    "table",
    "caption",  # only the one the renderer writes
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "div": {"aria-label"}}
ALLOWED_VALUES = {"th": {"scope": {"col"}}, "div": {"role": {"region"}, "tabindex": {"0"}}}
URL_SCHEMES = {"https", "http", "mailto"}

# GOV.UK styles for what the renderer makes. The renderer puts them on; nh3 lets through only these class
# names (an author cannot write a class at all, with raw HTML off, and no other name would survive).
CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
    "a": "govuk-link",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
}
NUMERIC = {"th": "govuk-table__header--numeric", "td": "govuk-table__cell--numeric"}  # a |--:| column
BARE_LINK = "app-link--bare"  # a link whose words are its address (static/css/plan-print.css)
SCROLL_REGION = "app-table-scroll"  # the portal's sideways-scrolling region (static/src/portal.scss)
SCROLL_WRAPPER = "app-table-scroll-wrapper"
SCROLL_HINT = "govuk-body-s app-table-scroll__hint"
CAPTION = "govuk-table__caption govuk-visually-hidden"
ALLOWED_CLASSES = {tag: set(names.split()) for tag, names in CLASSES.items()}
ALLOWED_CLASSES["a"].add(BARE_LINK)
ALLOWED_CLASSES["div"] = {SCROLL_REGION, SCROLL_WRAPPER}
ALLOWED_CLASSES.setdefault("p", set()).update(SCROLL_HINT.split())
ALLOWED_CLASSES["caption"] = set(CAPTION.split())
for _tag, _name in NUMERIC.items():
    ALLOWED_CLASSES[_tag].add(_name)

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_ADDRESS_WRITTEN = ("http://", "https://", "mailto:", "www.")
_local = threading.local()


def _renderer() -> MarkdownIt:
    # NOTE: one per thread: linkify-it keeps the last text it scanned on itself, so a shared one could
    # lend one page's links to another's under a threaded server.
    md = getattr(_local, "md", None)
    if md is None:
        md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
        md.enable(["table", "linkify"])
        # Addresses written with http(s)://, www. or as an email address become links; "README.md" stays
        # words (fuzzy links are checked in _dress_links), and ftp:// or //host are never links.
        md.linkify.add("ftp:", None).add("//", None)
        md.add_render_rule("image", _image_as_words)
        md.add_render_rule("table_open", _table_open)
        md.add_render_rule("table_close", _table_close)
        _local.md = md
    return md


def _image_as_words(self, tokens: list[Token], idx: int, options, env) -> str:
    """An image shows as its alt text: pictures are attached as documents, never shown in a section."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _table_open(self, tokens: list[Token], idx: int, options, env) -> str:
    headers = []
    for token in tokens[idx + 1 :]:
        if token.type == "thead_close":
            break
        if token.type == "inline":
            words = "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline")).strip()
            if words:
                headers.append(words)
    columns = ", ".join(headers)[:100]
    label = "Table, scrolls sideways" + (f": {columns}" if columns else "")
    # the same wrapper and hint as templates/_tables.html's scroll_region, so a wide table says it scrolls
    region = (
        f'<div class="{SCROLL_WRAPPER}"><p class="{SCROLL_HINT}">Scroll sideways to see the whole table</p>\n'
        f'<div class="{SCROLL_REGION}" role="region" tabindex="0" aria-label="{escapeHtml(label)}">\n'
    )
    # NOTE: every table in a scroll region has a caption (tests/browser/test_reflow.py); Markdown has no way
    # to write one, so it names the columns, for screen readers only.
    named = f"Table with the column{'s' if len(headers) > 1 else ''} {columns}" if columns else "Table"
    caption = f'<caption class="{CAPTION}">{escapeHtml(named)}</caption>\n'
    return region + self.renderToken(tokens, idx, options, env) + caption


def _table_close(self, tokens: list[Token], idx: int, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div></div>\n"


def _href_allowed(href: str) -> bool:
    scheme = _SCHEME.match(href)
    return (scheme.group(1).lower() in URL_SCHEMES) if scheme else not href.startswith("//")


def _dress_links(children: list[Token]) -> list[Token]:
    """GOV.UK link classes; a link whose words are its address is marked bare. A link to another scheme
    (ftp:, //host) and a fuzzy one not written as an address ("README.md") are left as their words."""
    out: list[Token] = []
    drop_close = False
    for i, token in enumerate(children):
        if token.type == "link_close" and drop_close:
            drop_close = False
            continue
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            words = ""
            for inner in children[i + 1 :]:
                if inner.type == "link_close":
                    break
                words += inner.content
            words = words.strip()
            fuzzy = token.markup == "linkify" and not (
                href.startswith("mailto:") or words.lower().startswith(_ADDRESS_WRITTEN)
            )
            if fuzzy or not _href_allowed(href):
                drop_close = True
                continue
            bare = token.markup in ("linkify", "autolink") or words in (
                href,
                href.removeprefix("mailto:"),
                re.sub(r"^https?://", "", href),
            )
            token.attrSet("class", f"{CLASSES['a']} {BARE_LINK}" if bare else CLASSES["a"])
        out.append(token)
    return out


def _dress(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _dress_links(token.children)
        elif token.nesting != -1 and token.tag in CLASSES:
            classes = CLASSES[token.tag]
            if token.tag in NUMERIC and "right" in str(token.attrGet("style") or ""):
                classes += " " + NUMERIC[token.tag]
            token.attrSet("class", classes)
            if token.tag == "th":
                token.attrSet("scope", "col")  # a Markdown table's header cells are its column headings


def sanitise(html: str, *, tags=(), classes: dict[str, set[str]] | None = None) -> str:
    """nh3 with the section allow-lists (and any extra tags and class names, as the comparison's marks)."""
    allowed_classes = {tag: set(names) for tag, names in ALLOWED_CLASSES.items()}
    for tag, names in (classes or {}).items():
        allowed_classes.setdefault(tag, set()).update(names)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | set(tags),
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_VALUES,
        allowed_classes=allowed_classes,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> Markup:
    """Safe HTML for a section's Markdown."""
    md = _renderer()
    env: dict = {}
    return _render(md.parse(text or "", env), env)


def _render(tokens: list[Token], env: dict) -> Markup:
    md = _renderer()
    _dress(tokens)
    return Markup(sanitise(md.renderer.render(tokens, md.options, env)))


def code_version(*paths: str) -> str:
    """What made the cached HTML: this code (the files named) and the versions of the renderer and the
    sanitiser. Any change to them makes the HTML again, with nobody having to remember to."""
    made_by = [Path(p).read_bytes() for p in paths] + [markdown_it.__version__.encode(), nh3.__version__.encode()]
    return hashlib.sha256(b"\0".join(made_by)).hexdigest()[:16]


RENDERING = code_version(__file__)
CACHE_SECONDS = 7 * 24 * 3600


def _cache_key(text: str) -> str:
    return f"plan-section-html:{RENDERING}:{hashlib.sha256(text.encode()).hexdigest()}"


def section_html(text: str) -> Markup:
    """render_markdown(text), from the cache when the same text was rendered before (it is made when the
    section is saved: `check_markdown`)."""
    if not (text or "").strip():
        return render_markdown(text)
    key = _cache_key(text)
    html = cache.get(key)
    if html is None:
        html = str(render_markdown(text))
        cache.set(key, html, CACHE_SECONDS)
    return Markup(html)


def _images(tokens: list[Token]):
    for token in tokens:
        if token.type == "image":
            yield token
        if token.children:
            yield from _images(token.children)


def markdown_problems(text: str) -> list[str]:
    """What a section's Markdown may not hold, as GOV.UK error messages (empty when it may be saved):
    images, and tables too long or too wide (found in the parsed tokens, as the renderer sees them)."""
    return _problems(_renderer().parse(text or ""))


def _problems(tokens: list[Token]) -> list[str]:
    return _image_problems(tokens) + _table_problems(tokens)


def _table_problems(tokens: list[Token]) -> list[str]:
    """A table of more than TABLE_ROWS rows or TABLE_COLUMNS columns belongs in a spreadsheet: a longer one
    would make the page, the comparison and the PDF slow, and is hard to read in a plan."""
    rows = columns = most_rows = most_columns = 0
    for token in tokens:
        if token.type == "table_open":
            rows = columns = 0
        elif token.type == "tr_open":
            rows += 1
        elif token.type == "th_open":
            columns += 1
        elif token.type == "table_close":
            most_rows, most_columns = max(most_rows, rows), max(most_columns, columns)
    problems = []
    if most_rows > limits.TABLE_ROWS:
        problems.append(
            f"A table in a plan section can have up to {limits.TABLE_ROWS} rows, and one here has {most_rows:,}: "
            "attach a longer table as a spreadsheet (a supporting document) instead"
        )
    if most_columns > limits.TABLE_COLUMNS:
        problems.append(
            f"A table in a plan section can have up to {limits.TABLE_COLUMNS} columns, and one here has "
            f"{most_columns:,}: attach a wider table as a spreadsheet (a supporting document) instead"
        )
    return problems


def _image_problems(tokens: list[Token]) -> list[str]:
    images = list(_images(tokens))
    if not images:
        return []
    written = []
    for image in images[:3]:
        src = str(image.attrGet("src") or "")
        written.append(f"![{image.content}]({src if len(src) <= 40 else src[:39] + '…'})")
    if len(images) == 1:
        return [
            f"Images cannot be shown in a plan section: take out {written[0]} and attach the picture as a "
            "supporting document instead"
        ]
    more = "" if len(images) <= 3 else f" and {len(images) - 3} more"
    return [
        f"Images cannot be shown in a plan section: take out the {len(images)} images ({', '.join(written)}{more}) "
        "and attach the pictures as supporting documents instead"
    ]


def check_markdown(text: str, *, field: str = "body") -> Markup:
    """Refuse Markdown that `markdown_problems` finds fault with, the message on `field`; else its HTML, kept
    in the cache for the pages that show it (one parse for both)."""
    env: dict = {}
    tokens = _renderer().parse(text or "", env)
    problems = _problems(tokens)
    if problems:
        raise ValidationError({field: problems})
    html = _render(tokens, env)
    if (text or "").strip():
        cache.set(_cache_key(text), str(html), CACHE_SECONDS)
    return html
