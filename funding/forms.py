"""The devolved funds' forms: a fund, income, a round and its criteria, an application with its budget lines, a
score, a conflict, an award with its instalments, a decline, a payment, a spend return, an applicant, a
programme, and the lists' filters. Services check everything again; these give the GOV.UK messages first."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from callins.forms.common import MoneyField, long_text_field, text_field, yes_no_field
from portal.fields import GovDateField
from portal.forms_govuk import GovukForm

from . import limits
from .models import Application, Award, Fund

BUDGET_LINES = 8  # the rows offered on the application form
CRITERIA = 6
INSTALMENTS = 6


def money_field(label: str, subject: str, *, required: bool = True, allow_zero: bool = False, **extra) -> MoneyField:
    return MoneyField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0") if allow_zero else Decimal("0.01"),
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {subject} in pounds and pence, like 1250.00",
            "invalid": f"Enter {subject} in pounds and pence, like 1250.00",
            "min_value": f"Enter {subject} of £0 or more" if allow_zero else f"Enter {subject} of more than £0",
            "max_digits": f"Enter {subject} of less than £10,000,000,000",
            "max_decimal_places": f"Enter {subject} in pounds and pence: at most 2 numbers after the point",
            "max_whole_digits": f"Enter {subject} of less than £10,000,000,000",
        },
        **extra,
    )


# --- Funds -------------------------------------------------------------------------------------------
class FundForm(GovukForm):
    name = text_field("Name", limits.NAME, missing="Enter the fund's name", subject="The name")
    kind = forms.ChoiceField(
        label="What kind of fund is it?",
        choices=Fund.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of fund"},
    )
    financial_year = forms.TypedChoiceField(
        label="Financial year", coerce=int, error_messages={"required": "Select the financial year"}
    )
    budget = money_field(
        "Budget",
        "the budget",
        allow_zero=True,
        help_text="Enter 0 for a fund of income only (fines, proceeds of crime): income received adds to what it may award",
    )
    ring_fenced = yes_no_field(
        "Is it ring-fenced?",
        "Select yes if the fund is ring-fenced",
        help_text="Ring-fenced money may be spent only on the fund's purpose",
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, f"April {y} to March {y + 1}") for y in years]


class IncomeForm(GovukForm):
    source = text_field(
        "Where the money came from", limits.NAME, missing="Enter where the money came from", subject="The source"
    )
    received_on = GovDateField(label="Date received", label_lower="the date received")
    amount = money_field("Amount", "the amount received")
    reference = text_field(
        "Reference (optional)", limits.REFERENCE, missing="", subject="The reference", required=False
    )


class OrganisationForm(GovukForm):
    name = text_field("Name", limits.NAME, missing="Enter the organisation's name", subject="The name")
    org_id = text_field(
        "Organisation identifier",
        80,
        missing="Enter the organisation identifier, like GB-CHC-1234567",
        subject="The organisation identifier",
        help_text="In 360Giving's form: the register's prefix, then the number there, like GB-CHC-1234567 for a "
        "charity or GB-COH-01234567 for a company",
    )
    charity_number = text_field(
        "Charity number (optional)", 20, missing="", subject="The charity number", required=False
    )
    company_number = text_field(
        "Company number (optional)", 20, missing="", subject="The company number", required=False
    )
    partner = forms.TypedChoiceField(
        label="Is it one of the board's partners? (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="A partner's officers then apply for it",
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._partners = {p.pk: p for p in partners}
        self.fields["partner"].choices = [("", "No, a registered provider")] + [(p.pk, p.name) for p in partners]

    def chosen_partner(self):
        return self._partners.get(self.cleaned_data.get("partner"))


class ProgrammeForm(GovukForm):
    name = text_field("Name", limits.NAME, missing="Enter the programme's name", subject="The name")
    lead_partner = forms.TypedChoiceField(
        label="Lead partner", coerce=int, error_messages={"required": "Select the lead partner"}
    )
    description = long_text_field(
        "Description (optional)", limits.TEXT, missing="", subject="The description", required=False, rows=4
    )
    targets = forms.TypedMultipleChoiceField(
        label="Targets it serves (optional)", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, partners=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._partners = {p.pk: p for p in partners}
        self._targets = {t.pk: t for t in targets}
        self.fields["lead_partner"].choices = [("", "Select a partner")] + [(p.pk, p.name) for p in partners]
        self.fields["targets"].choices = [(t.pk, str(t)) for t in targets]

    def chosen(self) -> dict:
        return {
            "lead_partner": self._partners.get(self.cleaned_data["lead_partner"]),
            "targets": [self._targets[pk] for pk in self.cleaned_data.get("targets") or () if pk in self._targets],
        }


# --- Rounds ------------------------------------------------------------------------------------------
class RoundForm(GovukForm):
    title = text_field("Title", limits.TITLE, missing="Enter the round's title", subject="The title")
    eligibility = long_text_field(
        "Who may apply", limits.TEXT, missing="Enter who may apply", subject="The eligibility", rows=4
    )
    opens_on = GovDateField(label="Opens for applications on", label_lower="the opening date")
    closes_on = GovDateField(label="Closes for applications on", label_lower="the closing date")
    max_award = money_field("Largest award", "the largest award")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, CRITERIA + 1):
            self.fields[f"criterion_{n}"] = text_field(
                f"Criterion {n}" + ("" if n == 1 else " (optional)"),
                limits.TITLE,
                missing="Enter at least one criterion",
                subject=f"Criterion {n}",
                required=n == 1,
            )
            self.fields[f"weight_{n}"] = forms.IntegerField(
                label=f"Criterion {n}'s weight",
                min_value=1,
                max_value=100,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "invalid": "Enter the weight as a whole number from 1 to 100",
                    "min_value": "Enter a weight from 1 to 100",
                    "max_value": "Enter a weight from 1 to 100",
                },
            )

    def criterion_rows(self):
        return [(self[f"criterion_{n}"], self[f"weight_{n}"]) for n in range(1, CRITERIA + 1)]

    def clean(self):
        data = super().clean()
        for n in range(1, CRITERIA + 1):
            if data.get(f"criterion_{n}") and not data.get(f"weight_{n}") and f"weight_{n}" not in self.errors:
                self.add_error(f"weight_{n}", f"Enter criterion {n}'s weight, from 1 to 100")
            if data.get(f"weight_{n}") and not data.get(f"criterion_{n}") and f"criterion_{n}" not in self.errors:
                self.add_error(f"criterion_{n}", f"Enter criterion {n}, or leave its weight empty")
        return data

    def criteria(self) -> list[tuple[str, int]]:
        data = self.cleaned_data
        return [
            (data[f"criterion_{n}"], data[f"weight_{n}"])
            for n in range(1, CRITERIA + 1)
            if data.get(f"criterion_{n}") and data.get(f"weight_{n}")
        ]


# --- Applications ------------------------------------------------------------------------------------
class ApplicationForm(GovukForm):
    organisation = forms.TypedChoiceField(
        label="Applying for",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is applying"},
    )
    project_title = text_field("Project title", limits.TITLE, missing="Enter the project's title", subject="The title")
    summary = long_text_field(
        "What the project will do",
        limits.TEXT,
        missing="Enter what the project will do",
        subject="The summary",
        help_text="Who it helps, how, and what will be different at the end",
    )
    amount_asked = money_field("Amount asked for", "the amount asked for")
    programme = forms.TypedChoiceField(label="Programme (optional)", coerce=int, required=False, empty_value=None)
    targets = forms.TypedMultipleChoiceField(
        label="Outcomes aimed at (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The board's targets the project works towards",
    )
    areas = forms.TypedMultipleChoiceField(
        label="Areas served",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one area the project serves"},
    )

    def __init__(self, *args, organisations=(), programmes=(), targets=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {o.pk: o for o in organisations}
        self._programmes = {p.pk: p for p in programmes}
        self._targets = {t.pk: t for t in targets}
        self._areas = {a.pk: a for a in areas}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["programme"].choices = [("", "None")] + [(p.pk, p.name) for p in programmes]
        self.fields["targets"].choices = [(t.pk, str(t)) for t in targets]
        self.fields["areas"].choices = [(a.pk, str(a)) for a in areas]
        for n in range(1, BUDGET_LINES + 1):
            self.fields[f"line_{n}_item"] = text_field(
                f"Budget line {n}: item", limits.TITLE, missing="", subject=f"Budget line {n}'s item", required=False
            )
            self.fields[f"line_{n}_amount"] = money_field(
                f"Budget line {n}: amount", f"budget line {n}'s amount", required=False
            )

    def budget_rows(self):
        return [(n, self[f"line_{n}_item"], self[f"line_{n}_amount"]) for n in range(1, BUDGET_LINES + 1)]

    def clean(self):
        data = super().clean()
        lines = 0
        for n in range(1, BUDGET_LINES + 1):
            item, amount = data.get(f"line_{n}_item"), data.get(f"line_{n}_amount")
            if item and amount is None and f"line_{n}_amount" not in self.errors:
                self.add_error(f"line_{n}_amount", f"Enter budget line {n}'s amount, like 1250.00")
            if amount is not None and not item:
                self.add_error(f"line_{n}_item", f"Enter what budget line {n} is for")
            lines += bool(item and amount is not None)
        if not lines and not any(k.startswith("line_") for k in self.errors):
            self.add_error("line_1_item", "Add at least one budget line: what the money is for and how much")
        return data

    def given(self) -> dict:
        data = self.cleaned_data
        return {
            "project_title": data["project_title"],
            "summary": data["summary"],
            "amount_asked": data["amount_asked"],
            "budget_lines": [
                (data[f"line_{n}_item"], data[f"line_{n}_amount"])
                for n in range(1, BUDGET_LINES + 1)
                if data.get(f"line_{n}_item") and data.get(f"line_{n}_amount") is not None
            ],
            "programme": self._programmes.get(data.get("programme")),
            "targets": [self._targets[pk] for pk in data.get("targets") or () if pk in self._targets],
            "areas": [self._areas[pk] for pk in data.get("areas") or () if pk in self._areas],
        }

    def chosen_organisation(self):
        return self._organisations.get(self.cleaned_data.get("organisation"))

    @staticmethod
    def initial_from(application: Application) -> dict:
        initial = {
            "organisation": application.organisation_id,
            "project_title": application.project_title,
            "summary": application.summary,
            "amount_asked": application.amount_asked,
            "programme": application.programme_id,
            "targets": [t.pk for t in application.targets.all()],
            "areas": [a.pk for a in application.areas.all()],
        }
        for n, line in enumerate(application.budget_lines.all()[:BUDGET_LINES], start=1):
            initial[f"line_{n}_item"], initial[f"line_{n}_amount"] = line.item, line.amount
        return initial


class DocumentForm(GovukForm):
    title = text_field("Document title", limits.TITLE, missing="Enter the document's title", subject="The title")
    file = forms.FileField(
        label="Document",
        help_text="A PDF, Word (DOCX) or Excel (XLSX) file",
        error_messages={"required": "Select a document", "empty": "The selected file is empty"},
    )

    def add_prefix(self, field_name):
        return f"document-{field_name}"


class SubmitApplicationForm(GovukForm):
    meets_eligibility = forms.BooleanField(
        label="The organisation meets the round's eligibility, and what the application says is true",
        error_messages={"required": "Confirm that the organisation meets the round's eligibility"},
    )


class ReasonsForm(GovukForm):
    """A decline or a cancellation: reasons the applicant is told."""

    reasons = long_text_field(
        "Reasons", limits.TEXT, missing="Enter the reasons: the applicant is told them", subject="The reasons"
    )


# --- Assessment --------------------------------------------------------------------------------------
class ScoresForm(GovukForm):
    """A score from 1 to 5 and a rationale for each of the round's criteria."""

    SCORES = [(str(n), str(n)) for n in range(1, 6)]

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=f"{c.name}: score",
                choices=self.SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text="1 is poor, 5 is excellent",
                error_messages={"required": f"Select a score from 1 to 5 for {c.name}"},
            )
            self.fields[f"rationale_{c.pk}"] = long_text_field(
                f"{c.name}: rationale",
                limits.NOTE,
                missing=f"Enter the reasons for the score for {c.name}",
                subject=f"The rationale for {c.name}",
                rows=3,
            )

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"rationale_{c.pk}"]) for c in self.criteria]


class ConflictForm(GovukForm):
    reason = long_text_field(
        "What is the conflict of interest?",
        limits.NOTE,
        missing="Enter what the conflict of interest is",
        subject="The conflict",
        rows=3,
        help_text="For example, you are a trustee of the applicant. You will not be able to score this application",
    )


# --- Awards ------------------------------------------------------------------------------------------
class AwardForm(GovukForm):
    amount = money_field("Amount awarded", "the amount awarded")
    conditions = long_text_field(
        "Conditions (optional)", limits.TEXT, missing="", subject="The conditions", required=False, rows=4
    )
    reasons = long_text_field(
        "Reasons for the decision",
        limits.TEXT,
        missing="Enter the reasons for the award: they are published with the PCC decision",
        subject="The reasons",
        rows=4,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, INSTALMENTS + 1):
            self.fields[f"instalment_{n}_due"] = GovDateField(
                label=f"Instalment {n}: due on" + ("" if n == 1 else " (optional)"),
                label_lower=f"instalment {n}'s due date",
                required=n == 1,
            )
            self.fields[f"instalment_{n}_amount"] = money_field(
                f"Instalment {n}: amount" + ("" if n == 1 else " (optional)"),
                f"instalment {n}'s amount",
                required=n == 1,
            )

    def instalment_rows(self):
        return [(n, self[f"instalment_{n}_due"], self[f"instalment_{n}_amount"]) for n in range(1, INSTALMENTS + 1)]

    def clean(self):
        data = super().clean()
        for n in range(2, INSTALMENTS + 1):
            due, amount = data.get(f"instalment_{n}_due"), data.get(f"instalment_{n}_amount")
            if due and amount is None and f"instalment_{n}_amount" not in self.errors:
                self.add_error(f"instalment_{n}_amount", f"Enter instalment {n}'s amount")
            if amount is not None and not due and f"instalment_{n}_due" not in self.errors:
                self.add_error(f"instalment_{n}_due", f"Enter instalment {n}'s due date")
        return data

    def instalments(self) -> list:
        data = self.cleaned_data
        return [
            (data[f"instalment_{n}_due"], data[f"instalment_{n}_amount"])
            for n in range(1, INSTALMENTS + 1)
            if data.get(f"instalment_{n}_due") and data.get(f"instalment_{n}_amount") is not None
        ]


class PaymentForm(GovukForm):
    paid_on = GovDateField(label="Date paid", label_lower="the date paid")
    paid_amount = money_field(
        "Amount paid (optional)",
        "the amount paid",
        required=False,
        help_text="Leave empty when the whole instalment was paid",
    )


class SpendReturnForm(GovukForm):
    spend = MoneyField(
        label="Spent in the quarter",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter what was spent in the quarter, in pounds and pence, like 1250.00 (0 if nothing)",
            "invalid": "Enter what was spent in the quarter in pounds and pence, like 1250.00",
            "min_value": "Enter what was spent: £0 or more",
            "max_decimal_places": "Enter what was spent in pounds and pence: at most 2 numbers after the point",
            "max_digits": "Enter what was spent: less than £10,000,000,000",
            "max_whole_digits": "Enter what was spent: less than £10,000,000,000",
        },
    )
    outcomes = long_text_field(
        "Outcomes in the quarter",
        limits.TEXT,
        missing="Enter the outcomes in the quarter",
        subject="The outcomes",
        help_text="What the grant achieved: people helped, services delivered, against the outcomes aimed at",
    )


# --- Filters -----------------------------------------------------------------------------------------
class ApplicationFilterForm(GovukForm):
    q = forms.CharField(label="Search applications", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Application.Status.choices]
    )
    round = forms.TypedChoiceField(label="Round", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", "Every round")] + [(r.pk, r.title) for r in rounds]


class AwardFilterForm(GovukForm):
    q = forms.CharField(label="Search awards", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Award.Status.choices])
    fund = forms.TypedChoiceField(label="Fund", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [("", "Every fund")] + [(f.pk, str(f)) for f in funds]
