"""What the devolved funds' API sends: read-only (state changes go through the services; bodies.py has what it
takes). Money is sent as a string with two decimals ("1250.00"), never a number a client would read as a
float."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from ..models import (
    MONEY,
    Application,
    ApplicationAttachment,
    Award,
    BudgetLine,
    ConflictDeclaration,
    Criterion,
    Fund,
    IncomeReceipt,
    Instalment,
    Organisation,
    Round,
    Score,
    SpendReturn,
)


def _url(name: str, obj, request) -> str:
    return reverse(name, kwargs={"pk": obj.pk}, request=request)


def _money(**kwargs) -> serializers.DecimalField:
    kwargs.setdefault("help_text", 'Pounds and pence as a string ("1250.00")')
    return serializers.DecimalField(**MONEY, coerce_to_string=True, **kwargs)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


class _OpenToYou(serializers.Serializer):
    """The transitions the caller may take now (the workflow's `available_to`)."""

    actions_open_to_you = serializers.SerializerMethodField(
        help_text="What you may do to it now, by name (each the API action of that name)"
    )

    def get_actions_open_to_you(self, obj) -> list[str]:
        return [t.name for t in getattr(obj, "transitions", [])]


# --- Funds ---------------------------------------------------------------------------------------------
class FundSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Fund.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    financial_year = serializers.IntegerField(help_text="The year it starts in (April): 2026 for 2026-27")
    year_label = serializers.CharField(help_text="2026-27")
    ring_fenced = serializers.BooleanField()
    budget = _money()
    income = _money(source="income_total", help_text="Income received into it, in pounds and pence")
    means = _money(help_text="Budget plus income: what it may commit, never more")
    committed = _money(help_text="Awards not cancelled")
    paid = _money()
    available = _money(help_text="Means less what is committed")
    url = serializers.SerializerMethodField(help_text="This fund in the API")

    class Meta:
        model = Fund
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "financial_year",
            "year_label",
            "ring_fenced",
            "budget",
            "income",
            "means",
            "committed",
            "paid",
            "available",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, fund) -> str:
        return _url("api:fund-detail", fund, self.context.get("request"))


class IncomeReceiptSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    received_on = serializers.DateField()
    amount = _money()
    reference = serializers.CharField()

    class Meta:
        model = IncomeReceipt
        fields = ["id", "source", "received_on", "amount", "reference"]
        read_only_fields = fields


class FundDetailSerializer(FundSerializer):
    receipts = IncomeReceiptSerializer(source="receipts.all", many=True, help_text="Income received, newest first")

    class Meta(FundSerializer.Meta):
        fields = [*FundSerializer.Meta.fields, "receipts"]
        read_only_fields = fields


# --- Rounds --------------------------------------------------------------------------------------------
class CriterionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="What an assessor scores it by (the `criterion` of a score)")
    weight = serializers.IntegerField(help_text="Its share of the total")

    class Meta:
        model = Criterion
        fields = ["id", "name", "weight"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    fund = serializers.IntegerField(source="fund_id", help_text="The id of its fund")
    fund_name = serializers.CharField(source="fund.__str__", help_text="Its fund and financial year")
    status = serializers.ChoiceField(choices=Round.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    eligibility = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(help_text="Applications are taken until the end of this day")
    max_award = _money(help_text="The most one award may be, in pounds and pence")
    criteria = CriterionSerializer(source="criteria.all", many=True)
    url = serializers.SerializerMethodField(help_text="This round in the API")

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "fund",
            "fund_name",
            "status",
            "status_label",
            "eligibility",
            "opens_on",
            "closes_on",
            "max_award",
            "criteria",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, round_) -> str:
        return _url("api:round-detail", round_, self.context.get("request"))


class RoundDetailSerializer(_OpenToYou, RoundSerializer):
    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "actions_open_to_you"]
        read_only_fields = fields


# --- Applications ------------------------------------------------------------------------------------------
class FundingOrganisationSerializer(serializers.ModelSerializer):
    org_id = serializers.CharField(help_text="Its 360Giving org-id (GB-CHC-1234567)")
    name = serializers.CharField()
    partner = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The partner it is, if one"
    )

    class Meta:
        model = Organisation
        fields = ["org_id", "name", "partner"]
        read_only_fields = fields


class BudgetLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField()
    amount = _money()

    class Meta:
        model = BudgetLine
        fields = ["item", "amount"]
        read_only_fields = fields


class ApplicationAttachmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    original_filename = serializers.CharField()
    kind = serializers.CharField(help_text="pdf, docx or xlsx")
    size = serializers.IntegerField(help_text="In bytes")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()

    class Meta:
        model = ApplicationAttachment
        fields = ["id", "title", "original_filename", "kind", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id", help_text="The id of the round")
    round_title = serializers.CharField(source="round.title")
    fund = serializers.IntegerField(source="round.fund_id", help_text="The id of the round's fund")
    organisation = FundingOrganisationSerializer(help_text="Who applies")
    programme = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The programme it belongs to, if one"
    )
    project_title = serializers.CharField()
    summary = serializers.CharField()
    amount_asked = _money()
    budget_lines = BudgetLineSerializer(source="budget_lines.all", many=True)
    targets = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="The targets it serves")
    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="The ONS codes of the areas it serves"
    )
    attachments = ApplicationAttachmentSerializer(source="attachments.all", many=True, help_text="Its documents")
    status = serializers.ChoiceField(choices=Application.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    drafted_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True, help_text="When it was awarded or declined")
    decline_reasons = serializers.CharField(help_text="When declined: the Commissioner's reasons")
    award = serializers.SerializerMethodField(help_text="The id of its award, once awarded")
    url = serializers.SerializerMethodField(help_text="This application in the API")

    class Meta:
        model = Application
        fields = [
            "id",
            "round",
            "round_title",
            "fund",
            "organisation",
            "programme",
            "project_title",
            "summary",
            "amount_asked",
            "budget_lines",
            "targets",
            "areas",
            "attachments",
            "status",
            "status_label",
            "drafted_at",
            "submitted_at",
            "decided_at",
            "decline_reasons",
            "award",
            "url",
        ]
        read_only_fields = fields

    def get_award(self, application) -> int | None:
        try:
            return application.award.pk
        except Award.DoesNotExist:
            return None

    def get_url(self, application) -> str:
        return _url("api:application-detail", application, self.context.get("request"))


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.name", help_text="The criterion's name")
    assessor = serializers.SerializerMethodField(help_text="Who scored it")
    score = serializers.IntegerField(help_text="1 to 5")
    rationale = serializers.CharField()
    scored_at = serializers.DateTimeField()

    class Meta:
        model = Score
        fields = ["criterion", "assessor", "score", "rationale", "scored_at"]
        read_only_fields = fields

    def get_assessor(self, score) -> str:
        return _person(score.assessor)


class ConflictDeclarationSerializer(serializers.ModelSerializer):
    assessor = serializers.SerializerMethodField(help_text="Who declared it")
    reason = serializers.CharField()
    declared_at = serializers.DateTimeField()

    class Meta:
        model = ConflictDeclaration
        fields = ["assessor", "reason", "declared_at"]
        read_only_fields = fields

    def get_assessor(self, conflict) -> str:
        return _person(conflict.assessor)


class ApplicationDetailSerializer(_OpenToYou, ApplicationSerializer):
    scores = serializers.SerializerMethodField(help_text="The assessors' scores: the PCC office's alone (else null)")
    conflicts = serializers.SerializerMethodField(
        help_text="Conflicts of interest declared by assessors: the PCC office's alone (else null)"
    )

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "scores", "conflicts", "actions_open_to_you"]
        read_only_fields = fields

    @extend_schema_field(ScoreSerializer(many=True, allow_null=True))
    def get_scores(self, application):
        shown = getattr(application, "assessment", None)
        return None if shown is None else ScoreSerializer(shown.scores, many=True).data

    @extend_schema_field(ConflictDeclarationSerializer(many=True, allow_null=True))
    def get_conflicts(self, application):
        shown = getattr(application, "assessment", None)
        return None if shown is None else ConflictDeclarationSerializer(shown.conflicts, many=True).data


# --- Awards ------------------------------------------------------------------------------------------------
class InstalmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = _money()
    paid_on = serializers.DateField(allow_null=True)
    paid_amount = _money(allow_null=True, help_text="What was paid, in pounds and pence (null until paid)")

    class Meta:
        model = Instalment
        fields = ["id", "due_on", "amount", "paid_on", "paid_amount"]
        read_only_fields = fields


class SpendReturnSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="It may be submitted once this day has passed")
    due_on = serializers.DateField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    spend = _money(allow_null=True, help_text="The spend in the quarter, in pounds and pence (null until returned)")
    outcomes = serializers.CharField()

    class Meta:
        model = SpendReturn
        fields = ["id", "period_start", "period_end", "due_on", "submitted_at", "spend", "outcomes"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id", help_text="The id of the application")
    project_title = serializers.CharField(source="application.project_title")
    fund = serializers.IntegerField(source="fund_id", help_text="The id of the fund it is paid from")
    fund_name = serializers.CharField(source="fund.__str__")
    organisation = FundingOrganisationSerializer(help_text="The grantee")
    amount = _money()
    paid = _money()
    outstanding = _money(help_text="Committed and not yet paid")
    conditions = serializers.CharField()
    status = serializers.ChoiceField(choices=Award.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    awarded_on = serializers.DateField()
    pcc_decision = serializers.CharField(source="pcc_decision.reference", help_text="The PCC decision making it")
    published = serializers.BooleanField(help_text="In the public grants data (not confidential, not cancelled)")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reasons = serializers.CharField()
    instalments = InstalmentSerializer(source="instalments.all", many=True, help_text="The payment schedule")
    spend_returns = SpendReturnSerializer(
        source="spend_returns.all", many=True, help_text="The grantee's quarterly returns of spend and outcomes"
    )
    url = serializers.SerializerMethodField(help_text="This award in the API")

    class Meta:
        model = Award
        fields = [
            "id",
            "application",
            "project_title",
            "fund",
            "fund_name",
            "organisation",
            "amount",
            "paid",
            "outstanding",
            "conditions",
            "status",
            "status_label",
            "awarded_on",
            "pcc_decision",
            "published",
            "cancelled_at",
            "cancel_reasons",
            "instalments",
            "spend_returns",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, award) -> str:
        return _url("api:award-detail", award, self.context.get("request"))


class AwardDetailSerializer(_OpenToYou, AwardSerializer):
    class Meta(AwardSerializer.Meta):
        fields = [*AwardSerializer.Meta.fields, "actions_open_to_you"]
        read_only_fields = fields
