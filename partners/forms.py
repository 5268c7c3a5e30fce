from django import forms

from portal.fields import GovDateField
from portal.forms_govuk import GovukForm
from portal.text import too_long_message

from . import limits
from .models import DataSharingAgreement, Partner
from .sharing import coverage


class PartnerFilterForm(GovukForm):
    q = forms.CharField(label="Search partners", required=False, max_length=limits.SEARCH)
    kind = forms.ChoiceField(
        label="Kind of partner", required=False, choices=[("", "All kinds")] + list(Partner.Kind.choices)
    )


# --- Data-sharing agreements --------------------------------------------------------------------
YES_NO = [("yes", "Yes"), ("no", "No")]
GROUP_LABELS = {
    Partner.Kind.LOCAL_AUTHORITY: "All {n} councils",
    Partner.Kind.YOUTH_JUSTICE: "All {n} youth justice services",
    Partner.Kind.HEALTH: "All {n} health partners",
}


def _yes_no(label: str, hint: str, required_message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        empty_value=None,
        error_messages={"required": required_message},
    )


class DsaForm(GovukForm):
    """Draft or change an agreement's terms."""

    provider = forms.TypedChoiceField(
        label="Which partner provides the data?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the partner that provides the data"},
    )
    title = forms.CharField(
        label="Title",
        max_length=limits.AGREEMENT_TITLE,
        help_text="For example, 'Recorded violence figures for community safety partnerships'",
        error_messages={
            "required": "Enter a title for the agreement",
            "max_length": too_long_message("The title", limits.AGREEMENT_TITLE),
        },
    )
    purpose = forms.CharField(
        label="Purpose of sharing",
        widget=forms.Textarea,
        max_length=limits.PURPOSE,
        help_text="What the recipients will use the data for, and why they need it",
        error_messages={
            "required": "Enter the purpose of sharing",
            "max_length": too_long_message("The purpose of sharing", limits.PURPOSE),
        },
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        widget=forms.RadioSelect,
        choices=DataSharingAgreement.LawfulBasis.choices,
        error_messages={"required": "Select the lawful basis for sharing"},
    )
    special_category_data = _yes_no(
        "Does it involve special category data?",
        "For example ethnicity or health (UK GDPR Article 9)",
        "Select yes if the agreement involves special category data",
    )
    criminal_offence_data = _yes_no(
        "Does it involve criminal offence data?",
        "Data about offences or convictions (UK GDPR Article 10)",
        "Select yes if the agreement involves criminal offence data",
    )
    recipient_groups = forms.MultipleChoiceField(
        label="Add whole groups of partners (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every current partner of the kinds you tick becomes a recipient, as well as any you select below",
        error_messages={"invalid_choice": "Select groups from the list"},
    )
    recipients = forms.ModelMultipleChoiceField(
        label="Recipients",
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all the partners that will receive the data",
        error_messages={"invalid_choice": "Select recipients from the list (the provider cannot be one)"},
    )
    indicators = forms.TypedMultipleChoiceField(
        label="Indicators shared",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only indicators the provider provides can be shared",
        error_messages={
            "required": "Select at least one indicator",
            "invalid_choice": "Select only indicators that the provider provides",
        },
    )
    level = forms.ChoiceField(
        label="Level of detail",
        widget=forms.RadioSelect,
        choices=DataSharingAgreement.Level.choices,
        error_messages={"required": "Select the level of detail shared"},
    )
    retention = forms.CharField(
        label="Retention and deletion",
        widget=forms.Textarea,
        max_length=limits.RETENTION,
        help_text="How long recipients keep the data and how they delete it",
        error_messages={
            "required": "Enter how long recipients keep the data and how they delete it",
            "max_length": too_long_message("Retention and deletion", limits.RETENTION),
        },
    )
    security_measures = forms.CharField(
        label="Security measures",
        widget=forms.Textarea,
        max_length=limits.SECURITY_MEASURES,
        error_messages={
            "required": "Enter the security measures",
            "max_length": too_long_message("The security measures", limits.SECURITY_MEASURES),
        },
    )
    contacts = forms.CharField(
        label="Contacts",
        widget=forms.Textarea,
        max_length=limits.CONTACTS,
        help_text="Who to contact at each partner about the agreement",
        error_messages={
            "required": "Enter the contacts for the agreement",
            "max_length": too_long_message("The contacts", limits.CONTACTS),
        },
    )
    start_date = GovDateField(label="Start date", label_lower="the start date")
    end_date = GovDateField(
        label="End date",
        label_lower="the end date",
        help_text="The last day the data is shared. For example, 31 3 2028",
    )
    review_date = GovDateField(
        label="Review date",
        label_lower="the review date",
        help_text="When the parties check the agreement still works. For example, 1 10 2027",
    )

    def __init__(self, *args, providers=(), fixed_provider: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        providers = list(providers)
        self.fixed_provider = fixed_provider
        self._providers = {p.pk: p for p in providers}
        if fixed_provider is not None or len(providers) == 1:
            self.fixed_provider = fixed_provider or providers[0]
            del self.fields["provider"]
        else:
            self.fields["provider"].choices = [(p.pk, p.name) for p in providers]
        provider_ids = [self.fixed_provider.pk] if self.fixed_provider else list(self._providers)
        recipients = Partner.objects.filter(active=True).order_by("name")
        if self.fixed_provider is not None:
            recipients = recipients.exclude(pk=self.fixed_provider.pk)
        self.fields["recipients"].queryset = recipients.order_by("kind", "name")
        self.fields["recipients"].item_hints = {str(p.pk): p.get_kind_display() for p in recipients}
        self._recipients_by_kind: dict[str, list[Partner]] = {}
        for partner in recipients:
            self._recipients_by_kind.setdefault(partner.kind, []).append(partner)
        # A shortcut for each kind with several partners (councils, youth justice services, health):
        # plain checkboxes, so choosing "all councils" works without JavaScript.
        self.fields["recipient_groups"].choices = [
            (
                kind,
                GROUP_LABELS.get(kind, "All {n} {label} partners").format(
                    n=len(members), label=Partner.Kind(kind).label.lower()
                ),
            )
            for kind, members in sorted(self._recipients_by_kind.items(), key=lambda kv: Partner.Kind(kv[0]).label)
            if len(members) > 1
        ]
        if not self.fields["recipient_groups"].choices:
            del self.fields["recipient_groups"]
        # What the provider(s) could share: the app that defines indicators says (partners.sharing).
        self._options = {c.pk: c for c in coverage().options(provider_ids=provider_ids)}
        names = {p.pk: p.short_name for p in Partner.objects.filter(pk__in=provider_ids)}
        self.fields["indicators"].choices = [
            (c.pk, f"{c.code}: {c.name}" + ("" if self.fixed_provider else f" ({names.get(c.provider_id, '')})"))
            for c in self._options.values()
        ]

    def chosen_provider(self) -> Partner | None:
        if self.fixed_provider is not None:
            return self.fixed_provider
        return self._providers.get(self.cleaned_data.get("provider"))

    def clean(self):
        data = super().clean()
        provider = self.chosen_provider() if ("provider" not in self.fields or data.get("provider")) else None
        chosen = list(data.get("recipients") or [])
        for kind in data.get("recipient_groups") or []:
            # a group never adds the provider itself (it is one of the councils, say)
            chosen += [
                p
                for p in self._recipients_by_kind.get(kind, [])
                if p not in chosen and (provider is None or p.pk != provider.pk)
            ]
        if "recipients" not in self.errors:
            if not chosen:
                self.add_error("recipients", "Select at least one recipient")
            data["recipients"] = sorted(chosen, key=lambda p: p.name)
        if provider is not None:
            if any(p.pk == provider.pk for p in data.get("recipients") or []):
                self.add_error(
                    "recipients", f"{provider.short_name} provides the data, so it cannot also be a recipient"
                )
            if any(
                self._options[pk].provider_id != provider.pk
                for pk in data.get("indicators") or []
                if pk in self._options
            ):
                self.add_error("indicators", f"Select only indicators that {provider.short_name} provides")
        start, end, review = data.get("start_date"), data.get("end_date"), data.get("review_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or after the start date")
        elif start and end and review and not (start <= review <= end):
            self.add_error("review_date", "The review date must be between the start date and the end date")
        return data

    def terms(self) -> dict:
        """The cleaned terms, as the services take them."""
        names = [
            "title",
            "purpose",
            "lawful_basis",
            "special_category_data",
            "criminal_offence_data",
            "level",
            "retention",
            "security_measures",
            "contacts",
            "start_date",
            "end_date",
            "review_date",
            "recipients",
            "indicators",
        ]
        return {name: self.cleaned_data[name] for name in names}


class DsaReasonForm(GovukForm):
    """The reason for suspending or revoking (required) or resuming (optional)."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        required=False,
        max_length=limits.REASON,
        help_text="The parties and the audit log will see this",
        error_messages={"max_length": too_long_message("The reason", limits.REASON)},
    )

    def __init__(self, *args, verb: str, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = required
        field.label = f"Why are you {verb} the agreement?" if required else "Note (optional)"
        field.error_messages["required"] = f"Enter the reason for {verb} the agreement"


class DsaSignForm(GovukForm):
    """Confirm a signature (and, for someone who signs for more than one party, for which)."""

    partner = forms.TypedChoiceField(
        label="Which partner are you signing for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the partner you are signing for"},
    )
    confirm = forms.BooleanField(
        label="I have read the agreement and have the authority to sign it for my partner",
        error_messages={"required": "Confirm that you have read the agreement and may sign it"},
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._partners = {p.pk: p for p in partners}
        if len(self._partners) > 1:
            self.fields["partner"].choices = [(p.pk, p.name) for p in partners]
        else:
            del self.fields["partner"]

    def chosen_partner(self) -> Partner | None:
        if "partner" not in self.fields:
            return next(iter(self._partners.values()), None)
        return self._partners.get(self.cleaned_data.get("partner"))


class DsaFilterForm(GovukForm):
    partner = forms.ModelChoiceField(
        label="Partner",
        required=False,
        empty_label="Any partner",
        queryset=Partner.objects.filter(active=True).order_by("name"),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status")] + list(DataSharingAgreement.Status.choices)
    )
    indicator = forms.TypedChoiceField(label="Indicator", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = coverage().options(provider_ids=Partner.objects.values_list("pk", flat=True))
        self._options = {c.pk: c for c in options}
        self.fields["indicator"].choices = [("", "Any indicator")] + [(c.pk, str(c)) for c in options]

    def chosen_indicator(self):
        """The indicator chosen (a partners.sharing.Covered), or None."""
        return self._options.get(self.cleaned_data.get("indicator")) if self.is_valid() else None


# --- Partner-system API tokens -----------------------------------------------------------------
class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Name of the partner system",
        max_length=limits.TOKEN_NAME,
        help_text="For example, 'Police records nightly feed'",
        error_messages={"required": "Enter the name of the partner system"},
    )
    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Partner.objects.filter(active=True).order_by("name"),
        empty_label="Choose a partner",
        error_messages={"required": "Choose the partner the system belongs to"},
    )
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        max_value=365,
        initial=90,
        error_messages={
            "required": "Enter how many days the token lasts",
            "min_value": "A token must last at least 1 day",
            "max_value": "A token can last at most 365 days",
            "invalid": "Enter the number of days as a whole number, like 90",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
