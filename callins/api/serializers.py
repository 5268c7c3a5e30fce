"""What the PCC's powers' API sends: read-only (state changes go through the services; bodies.py has what it
takes). Money is sent as a string with two decimals ("1250000.00"), never a number a client would read as a
float."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from ..models import MONEY, Appointment, CallIn, CallInAttachment, DecisionCategory, PartnerDecision, PccDecision
from ..selectors import window_days_left


def _url(name: str, obj, request) -> str:
    return reverse(name, kwargs={"pk": obj.pk}, request=request)


class _OpenToYou(serializers.Serializer):
    """The transitions the caller may take now (the selectors' `transitions`)."""

    actions_open_to_you = serializers.SerializerMethodField(
        help_text="What you may do to it now, by name (as the buttons on its page)"
    )

    def get_actions_open_to_you(self, obj) -> list[str]:
        return [t.name for t in getattr(obj, "transitions", [])]


# --- Partners' decisions -------------------------------------------------------------------------------
class DecisionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name")
    reference = serializers.CharField(help_text="The partner's own reference")
    title = serializers.CharField()
    summary = serializers.CharField()
    reasons = serializers.CharField()
    alternatives = serializers.CharField(help_text="The alternatives considered")
    decision_maker_name = serializers.CharField()
    decision_maker_post = serializers.CharField()
    made_on = serializers.DateField()
    takes_effect_on = serializers.DateField()
    category = serializers.ChoiceField(choices=DecisionCategory.choices)
    category_label = serializers.CharField(source="get_category_display")
    priorities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    targets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    financial_value = serializers.DecimalField(
        **MONEY, coerce_to_string=True, allow_null=True, help_text='Pounds and pence as a string ("1250000.00")'
    )
    confidential = serializers.BooleanField(help_text="Never published beyond its number, date and partner")
    status = serializers.ChoiceField(choices=PartnerDecision.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    logged_at = serializers.DateTimeField()
    window_working_days = serializers.IntegerField()
    window_closes_on = serializers.DateField(help_text="It may be called in until the end of this day")
    window_open = serializers.SerializerMethodField(help_text="Whether it may still be called in")
    window_days_left = serializers.SerializerMethodField(help_text="Working days left in its window, counting today")
    waived_at = serializers.DateTimeField(allow_null=True, help_text="When the PCC waived the call-in")
    waived_by = serializers.CharField(source="waived_by_label")
    waiver_reasons = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=[("", ""), *PartnerDecision.Outcome.choices], help_text="After a referral back: what was decided"
    )
    outcome_text = serializers.CharField()
    outcome_recorded_at = serializers.DateTimeField(allow_null=True)
    in_effect_on = serializers.DateField(allow_null=True)
    callin = serializers.SerializerMethodField(help_text="The reference of its call-in, if you may see it")
    url = serializers.SerializerMethodField(help_text="This decision in the API")

    class Meta:
        model = PartnerDecision
        fields = [
            "id",
            "partner",
            "partner_name",
            "reference",
            "title",
            "summary",
            "reasons",
            "alternatives",
            "decision_maker_name",
            "decision_maker_post",
            "made_on",
            "takes_effect_on",
            "category",
            "category_label",
            "priorities",
            "targets",
            "financial_value",
            "confidential",
            "status",
            "status_label",
            "logged_at",
            "window_working_days",
            "window_closes_on",
            "window_open",
            "window_days_left",
            "waived_at",
            "waived_by",
            "waiver_reasons",
            "outcome",
            "outcome_text",
            "outcome_recorded_at",
            "in_effect_on",
            "callin",
            "url",
        ]
        read_only_fields = fields

    def get_window_open(self, decision) -> bool:
        return decision.window_open()

    def get_window_days_left(self, decision) -> int | None:
        return window_days_left(decision)

    def get_callin(self, decision) -> str | None:
        seen = getattr(decision, "callin_seen", None)
        return seen.reference if seen is not None else None

    def get_url(self, decision) -> str:
        return _url("api:decision-detail", decision, self.context.get("request"))


class DecisionDetailSerializer(_OpenToYou, DecisionSerializer):
    why_not_in_effect = serializers.SerializerMethodField(help_text="Why it cannot take effect yet (empty if it can)")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "why_not_in_effect", "actions_open_to_you"]
        read_only_fields = fields

    def get_why_not_in_effect(self, decision) -> str:
        return decision.why_not_in_effect()


# --- Call-ins ------------------------------------------------------------------------------------------
class CallInAttachmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    original_filename = serializers.CharField()
    kind = serializers.CharField(help_text="pdf, docx or xlsx")
    size = serializers.IntegerField(help_text="In bytes")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()

    class Meta:
        model = CallInAttachment
        fields = ["id", "title", "original_filename", "kind", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class CallInSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="CI-2026-004")
    status = serializers.ChoiceField(choices=CallIn.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The deciding partner")
    partner_name = serializers.CharField(source="partner.name")
    decision = serializers.IntegerField(source="decision_id", help_text="The decision called in")
    decision_reference = serializers.CharField(source="decision.reference")
    decision_title = serializers.CharField(source="decision.title")
    grounds = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    questions = serializers.CharField(help_text="What the partner must answer")
    response_working_days = serializers.IntegerField()
    drafted_at = serializers.DateTimeField()
    issued_at = serializers.DateTimeField(allow_null=True)
    issued_by = serializers.CharField(source="issued_by_label")
    response_due = serializers.DateField(allow_null=True, help_text="The response is due by the end of this day")
    response_text = serializers.CharField(help_text="The partner's response, as last saved or as submitted")
    response_saved_at = serializers.DateTimeField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True, help_text="When the signatory submitted it")
    responded_by = serializers.CharField(source="responded_by_label")
    determination_due = serializers.DateField(allow_null=True)
    determination_reasons = serializers.CharField(help_text="The PCC's reasons (determined or withdrawn)")
    recommendations = serializers.CharField(help_text="When referred back")
    determined_at = serializers.DateTimeField(allow_null=True)
    determined_by = serializers.CharField(source="determined_by_label")
    reconsider_by = serializers.DateField(allow_null=True, help_text="When referred back: reconsider by this day")
    pcc_decision = serializers.CharField(
        source="pcc_decision.reference", allow_null=True, help_text="The PCC decision recording the determination"
    )
    closed_at = serializers.DateTimeField(allow_null=True)
    attachments = CallInAttachmentSerializer(source="attachments.all", many=True, help_text="With the response")
    url = serializers.SerializerMethodField(help_text="This call-in in the API")

    class Meta:
        model = CallIn
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "partner",
            "partner_name",
            "decision",
            "decision_reference",
            "decision_title",
            "grounds",
            "questions",
            "response_working_days",
            "drafted_at",
            "issued_at",
            "issued_by",
            "response_due",
            "response_text",
            "response_saved_at",
            "responded_at",
            "responded_by",
            "determination_due",
            "determination_reasons",
            "recommendations",
            "determined_at",
            "determined_by",
            "reconsider_by",
            "pcc_decision",
            "closed_at",
            "attachments",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, callin) -> str:
        return _url("api:callin-detail", callin, self.context.get("request"))


class CallInDetailSerializer(_OpenToYou, CallInSerializer):
    class Meta(CallInSerializer.Meta):
        fields = [*CallInSerializer.Meta.fields, "actions_open_to_you"]
        read_only_fields = fields


# --- The PCC's decisions ----------------------------------------------------------------------------------
class PccDecisionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="NNN/YYYY once signed; Draft before")
    year = serializers.IntegerField(allow_null=True, help_text="The financial year it was signed in (2026: 2026-27)")
    number = serializers.IntegerField(allow_null=True, help_text="Its number in that year")
    kind = serializers.ChoiceField(choices=PccDecision.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=PccDecision.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    summary = serializers.CharField()
    reasons = serializers.CharField()
    financial_implications = serializers.CharField()
    interests_declared = serializers.CharField()
    confidential = serializers.BooleanField(help_text="Published with only its number, date and partner")
    partner = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The partner it is about, if one"
    )
    prepared_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_by = serializers.CharField(source="signed_by_label")
    callin = serializers.SerializerMethodField(help_text="The call-in it determines, if it is a determination")
    url = serializers.SerializerMethodField(help_text="This decision in the API")

    class Meta:
        model = PccDecision
        fields = [
            "id",
            "reference",
            "year",
            "number",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "title",
            "summary",
            "reasons",
            "financial_implications",
            "interests_declared",
            "confidential",
            "partner",
            "prepared_at",
            "signed_at",
            "signed_by",
            "callin",
            "url",
        ]
        read_only_fields = fields

    def get_callin(self, decision) -> str | None:
        try:
            return decision.callin.reference
        except CallIn.DoesNotExist:
            return None

    def get_url(self, decision) -> str:
        return _url("api:pcc-decision-detail", decision, self.context.get("request"))


class PccDecisionDetailSerializer(_OpenToYou, PccDecisionSerializer):
    class Meta(PccDecisionSerializer.Meta):
        fields = [*PccDecisionSerializer.Meta.fields, "actions_open_to_you"]
        read_only_fields = fields


# --- Senior appointments ----------------------------------------------------------------------------------
class AppointmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name")
    post = serializers.CharField()
    stage = serializers.ChoiceField(choices=Appointment.Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    candidate = serializers.CharField(help_text="Who is proposed, once shortlisted")
    notes = serializers.CharField()
    opened_at = serializers.DateTimeField()
    view_working_days = serializers.IntegerField()
    consulted_at = serializers.DateTimeField(allow_null=True)
    view_due = serializers.DateField(allow_null=True, help_text="The PCC's view is due by the end of this day")
    view = serializers.ChoiceField(choices=[("", ""), *Appointment.View.choices], help_text="The PCC's view")
    view_reasons = serializers.CharField()
    view_recorded_at = serializers.DateTimeField(allow_null=True)
    view_recorded_by = serializers.CharField(source="view_recorded_by_label")
    appointed_at = serializers.DateTimeField(allow_null=True)
    appointed_without_view = serializers.BooleanField(
        help_text="Confirmed after the deadline for the PCC's view passed with no view recorded"
    )
    url = serializers.SerializerMethodField(help_text="This appointment in the API")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "partner",
            "partner_name",
            "post",
            "stage",
            "stage_label",
            "candidate",
            "notes",
            "opened_at",
            "view_working_days",
            "consulted_at",
            "view_due",
            "view",
            "view_reasons",
            "view_recorded_at",
            "view_recorded_by",
            "appointed_at",
            "appointed_without_view",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, appointment) -> str:
        return _url("api:appointment-detail", appointment, self.context.get("request"))


class AppointmentDetailSerializer(_OpenToYou, AppointmentSerializer):
    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "actions_open_to_you"]
        read_only_fields = fields
