"""Input validation for the plan pages, with GOV.UK error messages."""

from __future__ import annotations

from django import forms

from partners.models import Partner
from portal.fields import GovDateField
from portal.forms_govuk import GovukForm
from portal.text import too_long_message

from ..models import Priority, Target
from . import limits
from .models import Plan, PlanAction


class PlanFilterForm(GovukForm):
    q = forms.CharField(label="Search plans", required=False, max_length=limits.SEARCH)
    kind = forms.ChoiceField(label="Kind of plan", required=False, choices=[("", "All plans"), *Plan.Kind.choices])


class PlanForm(GovukForm):
    """A new plan, or a plan's details."""

    kind = forms.ChoiceField(
        label="What kind of plan is it?",
        choices=Plan.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of plan"},
    )
    owner = forms.TypedChoiceField(
        label="Who owns the plan?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who owns the plan"},
    )
    title = forms.CharField(
        label="Title",
        max_length=limits.PLAN_TITLE,
        error_messages={
            "required": "Enter the plan's title",
            "max_length": too_long_message("The title", limits.PLAN_TITLE),
        },
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        required=False,
        max_length=limits.PLAN_SUMMARY,
        help_text="One or two sentences that say what the plan is for",
        error_messages={"max_length": too_long_message("The summary", limits.PLAN_SUMMARY)},
    )
    period_start = GovDateField(
        label="Start of the period", label_lower="the start of the period", help_text="For example, 1 4 2026"
    )
    period_end = GovDateField(
        label="End of the period", label_lower="the end of the period", help_text="For example, 31 3 2027"
    )
    contributors = forms.ModelMultipleChoiceField(
        label="Contributing partners",
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="They write the sections assigned to them and must each sign the plan off",
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Board priorities it serves",
        queryset=Priority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    BOARD = 0

    def __init__(self, *args, owners=(), board_allowed: bool = False, fixed: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._owners = {p.pk: p for p in owners}
        choices = [(p.pk, p.name) for p in owners]
        if board_allowed:
            choices.insert(0, (self.BOARD, "The Local Criminal Justice Board (run by the Office of the PCC)"))
        self.fields["owner"].choices = choices
        if fixed is not None:
            del self.fields["kind"]
            del self.fields["owner"]
        self.fields["contributors"].queryset = Partner.objects.filter(active=True).order_by("kind", "name")
        self.fields["priorities"].queryset = Priority.objects.filter(active=True).order_by("order")
        if not self.fields["priorities"].queryset.exists():
            del self.fields["priorities"]  # nothing to link yet (the board has set no priority)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be the same as or after its start")
        return data

    def chosen_owner(self) -> Partner | None:
        return self._owners.get(self.cleaned_data.get("owner"))


class SectionForm(GovukForm):
    title = forms.CharField(
        label="Section title", max_length=limits.SECTION_TITLE, error_messages={"required": "Enter the section's title"}
    )
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=limits.SECTION_BODY,
        help_text="Write in Markdown: **bold**, *italic*, lists starting with - or 1., "
        "headings starting with ##, links as [words](https://…). A table may have up to "
        f"{limits.TABLE_ROWS} rows: attach a longer one as a spreadsheet",
        error_messages={"max_length": too_long_message("The text", limits.SECTION_BODY)},
    )


class SectionAddForm(SectionForm):
    assigned_to = forms.TypedChoiceField(
        label="Which partner writes it?", coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._partners = {p.pk: p for p in partners}
        self.fields["assigned_to"].choices = [("", "The plan's owner")] + [(p.pk, p.name) for p in partners]

    def chosen_partner(self) -> Partner | None:
        return self._partners.get(self.cleaned_data.get("assigned_to"))


class CommentForm(GovukForm):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.COMMENT,
        error_messages={
            "required": "Enter your comment",
            "max_length": too_long_message("Your comment", limits.COMMENT),
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ActionForm(GovukForm):
    what = forms.CharField(
        label="What will be done",
        max_length=limits.ACTION_WHAT,
        error_messages={
            "required": "Enter what will be done",
            "max_length": too_long_message("What will be done", limits.ACTION_WHAT),
        },
    )
    owner = forms.TypedChoiceField(
        label="Which partner does it?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the partner that does it"},
    )
    due_date = GovDateField(label="Due date", label_lower="the due date")
    target = forms.TypedChoiceField(label="Target it moves (optional)", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label="How is it going?",
        choices=PlanAction.Status.choices,
        widget=forms.RadioSelect,
        initial=PlanAction.Status.NOT_STARTED,
        error_messages={"required": "Select how the action is going"},
    )
    confirm_past = forms.BooleanField(
        label="The due date is right: the action is already late",
        required=False,
        help_text="Only when the date has passed",
    )

    def __init__(self, *args, partners=(), plan: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._partners = {p.pk: p for p in partners}
        self.fields["owner"].choices = [(p.pk, p.name) for p in partners]
        targets = Target.objects.select_related("indicator", "area").order_by("indicator__code", "area__name")
        if plan is not None and plan.targets.exists():
            targets = targets.filter(pk__in=plan.targets.values("pk"))
        self._targets = {t.pk: t for t in targets}
        self.fields["target"].choices = [("", "No target")] + [(t.pk, str(t)) for t in targets]

    def chosen_owner(self) -> Partner | None:
        return self._partners.get(self.cleaned_data.get("owner"))

    def chosen_target(self):
        return self._targets.get(self.cleaned_data.get("target"))


class AttachmentForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=limits.DOCUMENT_TITLE,
        error_messages={
            "required": "Enter the document's title",
            "max_length": too_long_message("The title", limits.DOCUMENT_TITLE),
        },
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word (.docx) or Excel (.xlsx) file",
        error_messages={"required": "Select a PDF, DOCX or XLSX file", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )


class SendForm(GovukForm):
    working_days = forms.IntegerField(
        label="How many working days do partners have to sign it off?",
        min_value=1,
        max_value=60,
        initial=10,
        help_text="Weekends and England and Wales bank holidays are not counted",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of working days",
            "min_value": "Give at least 1 working day",
            "max_value": "Give at most 60 working days",
            "invalid": "Enter the number of working days as a whole number, like 10",
        },
    )


class SignForm(GovukForm):
    statement = forms.CharField(
        label="Statement (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.STATEMENT,
        help_text="Shown with your sign-off in the plan's record",
        error_messages={"max_length": too_long_message("Your statement", limits.STATEMENT)},
    )
    confirm = forms.BooleanField(
        label="I have read this version and have the authority to sign it off for my organisation",
        error_messages={"required": "Confirm that you have read the plan and may sign it off"},
    )


class ReturnForm(GovukForm):
    reasons = forms.CharField(
        label="Why are you returning it?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.REASONS,
        help_text="The plan's owner and every contributor will see this",
        error_messages={
            "required": "Enter the reasons for returning the plan",
            "max_length": too_long_message("The reasons", limits.REASONS),
        },
    )


class PlanEditForm(PlanForm):
    """A plan's details; a contributor removed while it still has work in the draft needs an heir for it."""

    def __init__(self, *args, plan: Plan, leaving=(), heirs=(), **kwargs):
        super().__init__(*args, fixed=plan, **kwargs)
        self._heirs = {p.pk: p for p in heirs}
        self.leaving = list(leaving)
        for partner in self.leaving:
            work = []
            if partner.sections:
                work.append(f"{partner.sections} section{'' if partner.sections == 1 else 's'}")
            if partner.actions:
                work.append(f"{partner.actions} action{'' if partner.actions == 1 else 's'}")
            self.fields[f"reassign_{partner.pk}"] = forms.TypedChoiceField(
                label=f"Who takes over {partner.name}'s work?",
                help_text=f"{partner.short_name} writes or does {' and '.join(work)} in the draft",
                coerce=int,
                choices=[(p.pk, p.name) for p in heirs],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose who takes over {partner.name}'s sections and actions"},
            )

    def reassign(self) -> dict:
        return {p.pk: self._heirs.get(self.cleaned_data.get(f"reassign_{p.pk}")) for p in self.leaving}


class ActionProgressForm(GovukForm):
    """Progress on an action of the agreed plan, recorded by the partner that does it."""

    status = forms.ChoiceField(
        label="How is it going?",
        choices=PlanAction.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the action is going"},
    )
    done_on = GovDateField(
        label="Date it was done",
        label_lower="the date it was done",
        required=False,
        help_text="Only if it is done. For example, 27 3 2027",
    )
    progress_note = forms.CharField(
        label="Progress note (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=limits.PROGRESS_NOTE,
        help_text="What has been done so far, and anything holding it up",
        error_messages={"max_length": too_long_message("The progress note", limits.PROGRESS_NOTE)},
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == PlanAction.Status.DONE and not data.get("done_on") and "done_on" not in self.errors:
            self.add_error("done_on", "Enter the date the action was done")
        return data


class VersionNoteForm(GovukForm):
    change_note = forms.CharField(
        label="What changed in this version?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.CHANGE_NOTE,
        help_text="Signatories read this first: say what is new or different from the version before",
        error_messages={
            "required": "Enter what changed in this version",
            "max_length": too_long_message("What changed", limits.CHANGE_NOTE),
        },
    )
