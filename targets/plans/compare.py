"""Two versions of a plan compared: each section (its Markdown word by word, and as it reads with the changed
words marked: diff.py), each delivery action (matched by its key: added, removed, or which fields changed) and
each supporting document (matched by its contents, else its title: added, removed, renamed or replaced)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from portal.formats import gov_date

from .diff import diff_words, marked_html
from .markdown import render_markdown
from .models import PlanAction, PlanAttachment, PlanVersion

CHANGES = ("added", "removed", "changed", "unchanged")


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


def versions_compare(*, older: PlanVersion, newer: PlanVersion) -> VersionComparison:
    """Sections, actions and documents of two versions compared, in the newer one's order (what was taken
    out after)."""
    actions, actions_unchanged = _action_diffs(older, newer)
    documents, documents_unchanged = _document_diffs(older, newer)
    return VersionComparison(
        older=older,
        newer=newer,
        sections=_section_diffs(older, newer),
        actions=actions,
        documents=documents,
        actions_unchanged=actions_unchanged,
        documents_unchanged=documents_unchanged,
    )


def _matched_by_key(old: list, new: list) -> list[tuple]:
    """(before, after) pairs by key, in the newer order, then what only the older one has."""
    before = {o.key: o for o in old}
    after = {n.key: n for n in new}
    return [(before.get(n.key), n) for n in new] + [(o, None) for o in old if o.key not in after]


# --- Sections ---------------------------------------------------------------------------------------
def _section_diffs(older: PlanVersion, newer: PlanVersion) -> list[SectionDiff]:
    diffs = []
    for before, after in _matched_by_key(
        list(older.sections.order_by("order", "id")), list(newer.sections.order_by("order", "id"))
    ):
        text_before = f"{before.title}\n\n{before.body}" if before else ""
        text_after = f"{after.title}\n\n{after.body}" if after else ""
        html, added, removed = diff_words(text_before, text_after)
        if before is None or after is None:
            change = "added" if before is None else "removed"
        else:
            change = "unchanged" if text_before == text_after else "changed"
        body_before = render_markdown(before.body) if before else Markup("")
        body_after = render_markdown(after.body) if after else Markup("")
        diffs.append(
            SectionDiff(
                title=(after or before).title,
                change=change,
                html=html,
                added=added,
                removed=removed,
                rendered=body_after if body_before == body_after else marked_html(body_before, body_after),
                old_title=before.title if before and after and before.title != after.title else "",
                key=(after or before).key,
            )
        )
    return diffs


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
