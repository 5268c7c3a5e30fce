"""Word diffs, with the changed words marked as the comparison page shows them: of a section's Markdown
(`diff_words`) and of the section as rendered (`marked_html`).

The marked rendering is a word diff of the two rendered sections, not lxml's htmldiff (tried: it moved
removed words out of their paragraph or table cell, and hid a change of emphasis or heading level). Each
rendered version is cut into words, each word with the elements it sits in; the words and their elements are
matched (opcodes.py: block by block, then word by word within the blocks that changed, within a budget of
steps); the elements of matched words are the same elements in both versions (a table cell is also the same
cell when its row is, by its position), and the result is written out element by element from a stack, so the
HTML is always well formed. It is sanitised again with <ins>/<del> allowed. Changed words carry "[+]"/"[−]"
and "Added:"/"Removed:" for screen readers, so colour is never the only signal.

Both raise OverBudget when the two texts differ too much to mark word by word within the budget given."""

from __future__ import annotations

import re
from html import escape as escape_html
from html.parser import HTMLParser
from typing import NamedTuple

from markupsafe import Markup, escape

from . import limits
from .markdown import sanitise
from .opcodes import Budget, opcodes

MARKS = {"ins": ("Added", "[+]"), "del": ("Removed", "[−]")}
MARK_CLASSES = {"ins": {"app-diff-ins"}, "del": {"app-diff-del"}, "span": {"govuk-visually-hidden"}}

_WORDS = re.compile(r"\S+|\s+")
_WORD = re.compile(r"\S+")


def _line_starts(tokens: list[str]) -> list[int]:
    """Where each line of Markdown starts among its words and spaces (a line ends with the space that holds
    its line break)."""
    return [0, *(i + 1 for i, t in enumerate(tokens[:-1]) if "\n" in t)] if tokens else []


def diff_words(old: str, new: str, *, budget: Budget | None = None) -> tuple[Markup, int, int]:
    """The newer text with the words added and taken out marked, and how many of each."""
    budget = budget or Budget(limits.SECTION_COMPARISON_STEPS)
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    out, added, removed = [], 0, 0

    def marked(words: str, tag: str, label: str, sign: str):
        # NOTE: the spaces around the changed words stay outside the marks, so "[+]" sits with its words.
        stripped = words.strip()
        lead = words[: len(words) - len(words.lstrip())]
        trail = words[len(words.rstrip()) :]
        mark = Markup(
            '<{tag} class="app-diff-{cls}"><span class="govuk-visually-hidden">{label}: </span>{sign} {words}</{tag}>'
        ).format(tag=Markup(tag), cls=Markup(tag), label=label, sign=sign, words=stripped)
        return escape(lead) + mark + escape(trail)

    for op, i1, i2, j1, j2 in opcodes(a, b, budget=budget, chunks_a=_line_starts(a), chunks_b=_line_starts(b)):
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            words = "".join(a[i1:i2])
            if words.strip():
                removed += len(words.split())
                out.append(marked(words, "del", *MARKS["del"]))
            else:
                out.append(escape(words))
        if op in ("insert", "replace"):
            words = "".join(b[j1:j2])
            if words.strip():
                added += len(words.split())
                out.append(marked(words, "ins", *MARKS["ins"]))
            else:
                out.append(escape(words))
    return Markup("").join(out), added, removed


# --- A rendered section, its changed words marked ---------------------------------------------------
INLINE = {"strong", "em", "a", "code"}
VOID = {"br", "hr"}


class _Element(NamedTuple):
    uid: tuple[str, int]  # ("o" or "n", a count): this element in this version
    name: str
    key: str  # what makes it the same element in the other version: its tag, classes and (a link) address
    start: str  # its start tag, as rendered
    parent: tuple[str, int] | None
    index: int  # among its parent's child elements


class _Word(NamedTuple):
    path: tuple[_Element, ...]
    lead: str  # the spaces before the word
    word: str  # "" for an element without words (kept so it still shows), the tag itself for <br>/<hr>
    void: bool = False

    @property
    def key(self) -> tuple:
        return tuple(e.key for e in self.path), self.word, self.void


class _Words(HTMLParser):
    """Sanitised HTML (render_markdown's) as a list of words, each with the elements it sits in."""

    def __init__(self, side: str):
        super().__init__(convert_charrefs=True)
        self.side, self.count, self.lead = side, 0, ""
        self.words: list[_Word] = []
        self.path: list[_Element] = []
        self.filled: list[bool] = []  # whether each open element has a word yet
        self.children: list[int] = [0]  # child elements seen so far, per open element (and the top)

    def _add(self, word: _Word) -> None:
        self.words.append(word)
        self.filled = [True] * len(self.filled)
        self.lead = ""

    def handle_starttag(self, tag, attrs):
        start = "<" + tag + "".join(f' {k}="{escape_html(v or "", quote=True)}"' for k, v in attrs) + ">"
        if tag in VOID:
            self._add(_Word(tuple(self.path), self.lead, start, void=True))
            return
        if tag not in INLINE:
            self.lead = ""  # the line breaks between blocks are not the words' spaces
        named = dict(attrs)
        key = f"{tag}.{named.get('class', '')}" + (f" {named.get('href')}" if tag == "a" else "")
        self.count += 1
        parent = self.path[-1].uid if self.path else None
        self.path.append(_Element((self.side, self.count), tag, key, start, parent, self.children[-1]))
        self.children[-1] += 1
        self.children.append(0)
        self.filled.append(False)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in VOID or not self.path:
            return
        if not self.filled[-1]:
            self._add(_Word(tuple(self.path), "", ""))
        self.path.pop()
        self.filled.pop()
        self.children.pop()
        if tag not in INLINE:
            self.lead = ""

    def handle_data(self, data):
        # NOTE: one pass over the words; a pattern such as (\s*)(\S+) backtracks through a long run of spaces
        # at every position of it, quadratic in its length (50,000 line breaks took 35 s).
        end = 0
        for word in _WORD.finditer(data):
            self._add(_Word(tuple(self.path), self.lead + data[end : word.start()], word.group()))
            end = word.end()
        self.lead = (self.lead + data) if end == 0 else data[end:]


def _words(html: str, side: str) -> list[_Word]:
    parser = _Words(side)
    parser.feed(str(html))
    parser.close()
    return parser.words


def _same_elements(a: list[_Word], b: list[_Word], opcodes) -> dict:
    """Each older element that is the same as a newer one: it holds words that match, or it is a table
    cell at the same position in the same row."""
    same: dict[tuple, _Element] = {}
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2]):
                for old, new in zip(x.path, y.path):
                    same.setdefault(old.uid, new)
    taken = {e.uid for e in same.values()}
    by_place = {(e.parent, e.index): e for w in b for e in w.path}
    for old in {e for w in a for e in w.path}:
        if old.name in ("th", "td") and old.uid not in same and old.parent in same:
            new = by_place.get((same[old.parent].uid, old.index))
            if new is not None and new.name == old.name and new.uid not in taken:
                same[old.uid] = new
                taken.add(new.uid)
    return same


def _block_starts(words: list[_Word]) -> list[int]:
    """Where each block (a paragraph, a list item, a table cell: the innermost element that is not inline)
    starts among the words."""
    starts, last = [], object()
    for i, word in enumerate(words):
        block = next((e.uid for e in reversed(word.path) if e.name not in INLINE), None)
        if block != last:
            starts.append(i)
            last = block
    return starts


def marked_html(old_html: str, new_html: str, *, budget: Budget | None = None) -> Markup:
    """The newer rendered HTML with the words added in <ins> and those taken out in <del>, where they were."""
    budget = budget or Budget(limits.SECTION_COMPARISON_STEPS)
    a, b = _words(old_html, "o"), _words(new_html, "n")
    budget.spend(len(a) + len(b))  # each word's key made once
    ops = opcodes(
        [w.key for w in a],
        [w.key for w in b],
        budget=budget,
        chunks_a=_block_starts(a),
        chunks_b=_block_starts(b),
    )
    same = _same_elements(a, b, ops)
    merged: list[tuple[_Word, str | None]] = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            merged += [(w, None) for w in b[j1:j2]]
            continue
        merged += [(w._replace(path=tuple(same.get(e.uid, e) for e in w.path)), "del") for w in a[i1:i2]]
        merged += [(w, "ins") for w in b[j1:j2]]
    return Markup(sanitise(_write(merged), tags={"ins", "del", "span"}, classes=MARK_CLASSES))


def _write(merged: list[tuple[_Word, str | None]]) -> str:
    out: list[str] = []
    open_path: tuple[_Element, ...] = ()
    mark = None  # the <ins> or <del> open now
    last = None  # the previous word's mark and block: a run of marked words is labelled once per block
    for word, change in merged:
        if word.void and change == "del":
            continue  # a line break or rule taken out: nothing to show
        if mark and (change != mark or word.path != open_path):
            out.append(f"</{mark}>")
            mark = None
        common = 0
        while common < min(len(open_path), len(word.path)) and open_path[common].uid == word.path[common].uid:
            common += 1
        out += [f"</{e.name}>" for e in reversed(open_path[common:])]
        # NOTE: the spaces before a word sit between the elements closed and those opened for it, so a
        # link or emphasis never underlines them.
        if mark is None:
            out.append(escape_html(word.lead, quote=False))
        out += [e.start for e in word.path[common:]]
        open_path = word.path
        if not word.word:
            continue
        text = word.word if word.void else escape_html(word.word, quote=False)
        block = (change, tuple(e.uid for e in word.path if e.name not in INLINE))
        if change is None or word.void:
            out.append(text)
        elif change == mark:
            out.append(escape_html(word.lead, quote=False) + text)
        else:
            label, sign = MARKS[change]
            hidden = "" if last == block else f'<span class="govuk-visually-hidden">{label}: </span>{sign} '
            out.append(f'<{change} class="app-diff-{change}">{hidden}{text}')
            mark = change
        last = block
    if mark:
        out.append(f"</{mark}>")
    out += [f"</{e.name}>" for e in reversed(open_path)]
    return "".join(out)
