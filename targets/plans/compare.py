"""Two versions of a plan compared: each section (its Markdown word by word, and as it reads with the changed
words marked: diff.py), each delivery action (matched by its key: added, removed, or which fields changed) and
each supporting document (matched by its contents, else its title: added, removed, renamed or replaced).

The work is bounded (limits.py): each section's words are marked within its budget of steps, and the whole
comparison within the page's; a section past either is shown as its two texts side by side. What was marked is
kept in the cache by the texts compared, so the same two versions are compared once."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from markupsafe import Markup, escape

from portal.formats import gov_date

from . import diff, limits, opcodes
from .diff import diff_words, marked_html
from .markdown import RENDERING, code_version, section_html
from .models import PlanAction, PlanAttachment, PlanVersion
from .opcodes import Budget, OverBudget

CHANGES = ("added", "removed", "changed", "unchanged")
MARKING = RENDERING + code_version(diff.__file__, opcodes.__file__)  # what made a cached comparison


@dataclass
class SectionDiff:
    title: str
    change: str  # "added", "removed", "changed", "unchanged"
    html: Markup  # the Markdown (title and body), with insertions and deletions marked
    added: int = 0
    removed: int = 0
    rendered: Markup = Markup("")  # the section as it reads, changed words marked
    old_title: str = ""  # its title in the older version, when that was different
    key: str = ""
    marked: bool = True  # False: it changed too much to mark word by word (see `rendered_before`)
    rendered_before: Markup = Markup("")  # the section as it read in the older version, when not marked


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ActionDiff:
    what: str
    change: str  # "added", "removed", "changed"
    fields: dict[str, str]  # as it stands in the newer version (the older one, when removed)
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class DocumentDiff:
    title: str
    change: str  # "added", "removed", "changed" (renamed, or a different file under the same title)
    file: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionComparison:
    """What changed between two versions. Iterates as its sections, as the comparison did when it covered
    sections only."""

    older: PlanVersion
    newer: PlanVersion
    sections: list[SectionDiff]
    actions: list[ActionDiff]  # added, removed and changed only
    documents: list[DocumentDiff]  # added, removed and changed only
    actions_unchanged: int = 0
    documents_unchanged: int = 0
    steps: int = 0  # how many steps marking the words took (opcodes.py), at most limits.COMPARISON_STEPS

    def __iter__(self):
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def __bool__(self) -> bool:
        return True

    @property
    def summary(self) -> list[tuple[str, dict[str, int]]]:
        """(what, {change: how many}) for sections, actions and documents."""

        def count(items, unchanged: int = 0) -> dict[str, int]:
            counted = Counter(i.change for i in items)
            counted["unchanged"] += unchanged
            return {change: counted[change] for change in CHANGES}

        return [
            ("Sections", count(self.sections)),
            ("Delivery actions", count(self.actions, self.actions_unchanged)),
            ("Documents", count(self.documents, self.documents_unchanged)),
        ]


def versions_compare(*, older: PlanVersion, newer: PlanVersion, budget: Budget | None = None) -> VersionComparison:
    """Sections, actions and documents of two versions compared, in the newer one's order (what was taken
    out after), the words marked within `budget` steps (limits.COMPARISON_STEPS)."""
    budget = budget or Budget(limits.COMPARISON_STEPS)
    actions, actions_unchanged = _action_diffs(older, newer)
    documents, documents_unchanged = _document_diffs(older, newer)
    return VersionComparison(
        older=older,
        newer=newer,
        sections=_section_diffs(older, newer, budget),
        actions=actions,
        documents=documents,
        actions_unchanged=actions_unchanged,
        documents_unchanged=documents_unchanged,
        steps=budget.used,
    )


def _matched_by_key(old: list, new: list) -> list[tuple]:
    """(before, after) pairs by key, in the newer order, then what only the older one has."""
    before = {o.key: o for o in old}
    after = {n.key: n for n in new}
    return [(before.get(n.key), n) for n in new] + [(o, None) for o in old if o.key not in after]


# --- Sections ---------------------------------------------------------------------------------------
def _section_diffs(older: PlanVersion, newer: PlanVersion, budget: Budget) -> list[SectionDiff]:
    diffs = []
    for before, after in _matched_by_key(
        list(older.sections.order_by("order", "id")), list(newer.sections.order_by("order", "id"))
    ):
        text_before = f"{before.title}\n\n{before.body}" if before else ""
        text_after = f"{after.title}\n\n{after.body}" if after else ""
        if before is None or after is None:
            change = "added" if before is None else "removed"
        else:
            change = "unchanged" if text_before == text_after else "changed"
        body_before = section_html(before.body) if before else Markup("")
        body_after = section_html(after.body) if after else Markup("")
        if change == "unchanged":
            words = {"marked": True, "html": escape(text_after), "added": 0, "removed": 0, "rendered": body_after}
        else:
            words = _words_marked(text_before, text_after, body_before, body_after, budget)
        diffs.append(
            SectionDiff(
                title=(after or before).title,
                change=change,
                old_title=before.title if before and after and before.title != after.title else "",
                key=(after or before).key,
                rendered_before=Markup("") if words["marked"] else body_before,
                **words,
            )
        )
    return diffs


def _words_marked(text_before: str, text_after: str, body_before: Markup, body_after: Markup, page: Budget) -> dict:
    """A section's changed words marked, in its Markdown and as it reads, within its own budget and what is
    left of the page's; from the cache when these texts were compared before."""
    texts = "\0".join([MARKING, str(limits.SECTION_COMPARISON_STEPS), text_before, text_after]).encode()
    key = "plan-compare:" + hashlib.sha256(texts).hexdigest()
    found = cache.get(key)
    if found is not None:
        return {**found, "html": Markup(found["html"]), "rendered": Markup(found["rendered"])}
    steps = max(0, min(limits.SECTION_COMPARISON_STEPS, page.left))
    budget = Budget(steps)
    try:
        html, added, removed = diff_words(text_before, text_after, budget=budget)
        rendered = body_after if body_before == body_after else marked_html(body_before, body_after, budget=budget)
        words = {"marked": True, "html": html, "added": added, "removed": removed, "rendered": rendered}
        done = True
    except OverBudget:
        words = {"marked": False, "html": escape(text_after), "added": 0, "removed": 0, "rendered": body_after}
        done = steps == limits.SECTION_COMPARISON_STEPS  # past its own budget, not only what the page had left
    finally:
        page.used += min(budget.used, steps)
    if done:
        cache.set(key, {**words, "html": str(words["html"]), "rendered": str(words["rendered"])}, 7 * 24 * 3600)
    return words


# --- Delivery actions and documents -------------------------------------------------------------------
def _action_fields(action: PlanAction) -> dict[str, str]:
    return {
        "What": action.what,
        "Partner": action.owner.name,
        "Due": gov_date(action.due_date),
        "Target": str(action.target) if action.target else "None",
        "Status": action.get_status_display(),
    }


def _action_diffs(older: PlanVersion, newer: PlanVersion) -> tuple[list[ActionDiff], int]:
    def actions(version):
        related = ("owner", "target", "target__indicator", "target__area")
        return list(version.actions.select_related(*related).order_by("due_date", "order", "id"))

    diffs, unchanged = [], 0
    for before, after in _matched_by_key(actions(older), actions(newer)):
        old = _action_fields(before) if before else {}
        new = _action_fields(after) if after else {}
        if before is None or after is None:
            fields = new or old
            diffs.append(ActionDiff(fields["What"], "added" if before is None else "removed", fields))
            continue
        changes = [FieldChange(label, old[label], new[label]) for label in new if old[label] != new[label]]
        if changes:
            diffs.append(ActionDiff(new["What"], "changed", new, changes))
        else:
            unchanged += 1
    return diffs, unchanged


def _file_words(document: PlanAttachment) -> str:
    return f"{document.original_filename} ({document.kind.upper()})"


def _document_diffs(older: PlanVersion, newer: PlanVersion) -> tuple[list[DocumentDiff], int]:
    old = list(older.attachments.order_by("uploaded_at", "id"))
    new = list(newer.attachments.order_by("uploaded_at", "id"))
    pairs: dict[int, PlanAttachment] = {}  # newer document's id → the older one it is
    for same in (lambda o, n: o.sha256 == n.sha256, lambda o, n: o.title.strip().lower() == n.title.strip().lower()):
        for document in new:
            if document.pk in pairs:
                continue
            taken = {o.pk for o in pairs.values()}
            match = next((o for o in old if o.pk not in taken and same(o, document)), None)
            if match is not None:
                pairs[document.pk] = match
    diffs, unchanged = [], 0
    for document in new:
        before = pairs.get(document.pk)
        if before is None:
            diffs.append(DocumentDiff(document.title, "added", _file_words(document)))
            continue
        changes = []
        if before.title != document.title:
            changes.append(FieldChange("Title", before.title, document.title))
        if before.sha256 != document.sha256:
            same_name = before.original_filename == document.original_filename
            new_words = _file_words(document) + (", a different file" if same_name else "")
            changes.append(FieldChange("File", _file_words(before), new_words))
        if changes:
            diffs.append(DocumentDiff(document.title, "changed", _file_words(document), changes))
        else:
            unchanged += 1
    matched = {o.pk for o in pairs.values()}
    diffs += [DocumentDiff(o.title, "removed", _file_words(o)) for o in old if o.pk not in matched]
    return diffs, unchanged
