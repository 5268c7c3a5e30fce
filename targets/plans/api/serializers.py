"""What the plans API sends (read-only: state changes go through the services) and what it takes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.reverse import reverse

from portal.api_base import MULTI_LINE, JSONTypesMixin

from .. import limits, services
from ..models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanSignOff, PlanVersion

PLAN_STEP_UP = "sign off or return plans"

NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The version's number")
KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The section's or action's key")
PARTNER = OpenApiParameter(
    "partner", OpenApiTypes.STR, OpenApiParameter.PATH, description="The slug of the partner whose sign-off it is"
)


# --- What the API sends (read-only: state changes go through the services) --------------------------
class PlanVersionSummarySerializer(serializers.ModelSerializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanVersion.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    change_note = serializers.CharField(help_text="What changed from the version before")
    title = serializers.CharField(source="display_title", help_text="The plan's title as this version has it")
    period_start = serializers.DateField(allow_null=True, help_text="The plan's period as this version has it")
    period_end = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    signoff_due = serializers.DateField(allow_null=True, help_text="Sign-offs are due by the end of this day")
    agreed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="This version in the API")

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "status",
            "status_label",
            "change_note",
            "title",
            "period_start",
            "period_end",
            "created_at",
            "sent_at",
            "signoff_due",
            "agreed_at",
            "closed_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, version) -> str:
        return reverse(
            "api:plan-version",
            kwargs={"pk": version.plan_id, "number": version.number},
            request=self.context.get("request"),
        )


class PlanSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Plan.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    summary = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    owner = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The owning partner; null for the board's own"
    )
    owner_name = serializers.CharField()
    contributors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    priorities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    targets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    versions = PlanVersionSummarySerializer(
        source="versions_readable", many=True, help_text="The versions you may read, newest first"
    )
    agreed_version = serializers.IntegerField(
        source="agreed_version.number", allow_null=True, help_text="The number of the version in force, if any"
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "summary",
            "period_start",
            "period_end",
            "owner",
            "owner_name",
            "contributors",
            "priorities",
            "targets",
            "versions",
            "agreed_version",
        ]
        read_only_fields = fields


class PlanCommentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True, help_text="The comment it replies to")
    author = serializers.CharField(source="author_label")
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        model = PlanComment
        fields = ["id", "parent", "author", "partner", "body", "created_at"]
        read_only_fields = fields


class PlanSectionSerializer(serializers.ModelSerializer):
    key = serializers.CharField(help_text="The same section across versions")
    order = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown")
    html = serializers.CharField(help_text="The body rendered and sanitised")
    assigned_to = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The partner that writes it; null: the owner"
    )
    updated_at = serializers.DateTimeField()
    editable = serializers.BooleanField(source="can_edit", help_text="Whether you may change it now")
    comments = PlanCommentSerializer(source="comments.all", many=True, help_text="Comments and replies, oldest first")

    class Meta:
        model = PlanSection
        fields = ["key", "order", "title", "body", "html", "assigned_to", "updated_at", "editable", "comments"]
        read_only_fields = fields


class PlanActionSerializer(serializers.ModelSerializer):
    key = serializers.CharField()
    order = serializers.IntegerField()
    what = serializers.CharField()
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The partner that does it")
    due_date = serializers.DateField()
    target = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=PlanAction.Status.choices, help_text="As its partner last set it")
    late = serializers.SerializerMethodField(help_text="Not done, and its due date has passed")
    status_label = serializers.CharField(source="status_words", help_text="Late, or the status in words")
    editable = serializers.BooleanField(source="can_edit", help_text="Whether you may change it now")
    progress_note = serializers.CharField(help_text="How it is going, as its partner last recorded it")
    done_on = serializers.DateField(allow_null=True, help_text="The day it was done")
    progress_at = serializers.DateTimeField(allow_null=True, help_text="When progress was last recorded")
    progress_by = serializers.CharField(source="progress_by_label", help_text="Who last recorded progress")
    progress_recordable = serializers.BooleanField(
        source="can_progress", help_text="Whether you may record progress on it now (the agreed version's actions)"
    )

    class Meta:
        model = PlanAction
        fields = [
            "key",
            "order",
            "what",
            "owner",
            "due_date",
            "target",
            "status",
            "late",
            "status_label",
            "editable",
            "progress_note",
            "done_on",
            "progress_at",
            "progress_by",
            "progress_recordable",
        ]
        read_only_fields = fields

    def get_late(self, plan_action) -> bool:
        return plan_action.is_late()


class PlanAttachmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    original_filename = serializers.CharField()
    kind = serializers.CharField(help_text="pdf, docx or xlsx")
    size = serializers.IntegerField(help_text="In bytes")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()

    class Meta:
        model = PlanAttachment
        fields = ["id", "title", "original_filename", "kind", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class PlanSignOffSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name")
    status = serializers.ChoiceField(choices=PlanSignOff.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    due = serializers.DateField()
    timeliness = serializers.SerializerMethodField(help_text="On time, Late, Outstanding, Overdue or Not needed")
    statement = serializers.CharField(help_text="What the signatory said when signing")
    reasons = serializers.CharField(help_text="Why it was returned")
    decided_by = serializers.CharField(source="decided_by_label", help_text="Name and job title at the time")
    decided_at = serializers.DateTimeField(allow_null=True)
    decisions_open_to_you = serializers.SerializerMethodField(help_text="sign and return, if you may take them now")

    class Meta:
        model = PlanSignOff
        fields = [
            "partner",
            "partner_name",
            "status",
            "status_label",
            "due",
            "timeliness",
            "statement",
            "reasons",
            "decided_by",
            "decided_at",
            "decisions_open_to_you",
        ]
        read_only_fields = fields

    def get_timeliness(self, signoff) -> str:
        return signoff.timeliness()

    def get_decisions_open_to_you(self, signoff) -> list[str]:
        return [t.name for t in getattr(signoff, "choices", [])]


class PlanVersionSerializer(PlanVersionSummarySerializer):
    plan = serializers.IntegerField(source="plan_id")
    based_on = serializers.IntegerField(
        source="based_on.number", allow_null=True, help_text="The version it was made from"
    )
    sections = PlanSectionSerializer(many=True)
    actions = PlanActionSerializer(many=True)
    attachments = PlanAttachmentSerializer(many=True)
    sign_offs = PlanSignOffSerializer(source="signoffs", many=True)

    class Meta(PlanVersionSummarySerializer.Meta):
        fields = [
            "plan",
            *PlanVersionSummarySerializer.Meta.fields,
            "based_on",
            "sections",
            "actions",
            "attachments",
            "sign_offs",
        ]
        read_only_fields = fields


# --- What the API takes ---------------------------------------------------------------------------
class PlanCreateSerializer(JSONTypesMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Plan.Kind.choices)
    title = serializers.CharField(max_length=limits.PLAN_TITLE)
    summary = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.PLAN_SUMMARY, style=MULTI_LINE
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    owner = serializers.SlugField(
        help_text="The owning partner's slug, or \"board\" for the board's own plans (PCC office only)"
    )
    contributors = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, help_text="Contributing partners' slugs"
    )
    priorities = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, help_text="Slugs of the priorities it serves"
    )


class VersionStartSerializer(JSONTypesMixin, serializers.Serializer):
    change_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.CHANGE_NOTE, style=MULTI_LINE
    )


class SendSerializer(JSONTypesMixin, serializers.Serializer):
    working_days = serializers.IntegerField(
        required=False,
        default=services.DEFAULT_SIGNOFF_WORKING_DAYS,
        min_value=1,
        max_value=60,
        help_text="Working days the partners have to sign it off (weekends and bank holidays not counted)",
    )


class SectionAddSerializer(JSONTypesMixin, serializers.Serializer):
    title = serializers.CharField(max_length=limits.SECTION_TITLE)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.SECTION_BODY,
        style=MULTI_LINE,
        help_text="Markdown",
    )
    assigned_to = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="The contributing partner that writes it"
    )


class SectionChangeSerializer(JSONTypesMixin, serializers.Serializer):
    title = serializers.CharField(required=False, max_length=limits.SECTION_TITLE)
    body = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.SECTION_BODY, style=MULTI_LINE, help_text="Markdown"
    )


class CommentAddSerializer(JSONTypesMixin, serializers.Serializer):
    body = serializers.CharField(max_length=limits.COMMENT, style=MULTI_LINE)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="The comment replied to")


CONFIRM_PAST = "true to take a due date that has already passed (the action is then late at once)"


class ActionAddSerializer(JSONTypesMixin, serializers.Serializer):
    what = serializers.CharField(max_length=limits.ACTION_WHAT)
    owner = serializers.SlugField(help_text="The slug of the partner that does it")
    due_date = serializers.DateField(help_text="Within the plan's period")
    target = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="The target it moves")
    confirm_past = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_PAST)


class ActionChangeSerializer(JSONTypesMixin, serializers.Serializer):
    what = serializers.CharField(required=False, max_length=limits.ACTION_WHAT)
    due_date = serializers.DateField(required=False, help_text="Within the plan's period")
    target = serializers.IntegerField(required=False, allow_null=True, help_text="The target it moves, or null")
    status = serializers.ChoiceField(choices=PlanAction.Status.choices, required=False)
    confirm_past = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_PAST)


class ActionProgressSerializer(JSONTypesMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanAction.Status.choices)
    progress_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.PROGRESS_NOTE, style=MULTI_LINE
    )
    done_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Needed when done")


class VersionNoteSerializer(JSONTypesMixin, serializers.Serializer):
    change_note = serializers.CharField(
        max_length=limits.CHANGE_NOTE, style=MULTI_LINE, help_text="What changed from the version before"
    )


class SignOffSignSerializer(JSONTypesMixin, serializers.Serializer):
    statement = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.STATEMENT, style=MULTI_LINE
    )


class SignOffReturnSerializer(JSONTypesMixin, serializers.Serializer):
    reasons = serializers.CharField(
        max_length=limits.REASONS,
        style=MULTI_LINE,
        help_text="Why it is returned: the owner and every contributor see them",
    )
