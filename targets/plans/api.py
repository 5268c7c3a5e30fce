"""Plans API (/api/v1/plans/): plans, their versions with sections, delivery actions, attachments and
sign-offs; writes through the same services as the pages.

A plan's versions, sections, actions and sign-offs are named as on the pages: by the version's number,
the section's or action's key, and the signing partner's slug, under the plan
(`/plans/{id}/versions/{number}/sections/{key}/`). Whoever may not see a plan's drafts gets 404 for
them, exactly as on the pages (agreed versions: every signed-in user). Signing off and returning need
a second factor confirmed in the last 15 minutes, so API tokens are refused (403).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from partners.models import Partner
from portal import permissions
from portal.api_actions import refuse_tokens, run_service, step_up_time
from portal.api_base import MULTI_LINE, JSONTypesMixin, StrictQueryParamsMixin

from .. import rules
from ..filters import PlanFilter
from ..models import Priority, Target
from . import limits, selectors, services
from .models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanSignOff, PlanVersion
from .workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW

PLAN_STEP_UP = "sign off or return plans"
RUNS_IT = "Only the plan's owner runs it (the Office of the PCC runs the board's own plans)."

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


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data if isinstance(request.data, dict) else {})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _partner(slug: str | None, *, field: str) -> Partner | None:
    if slug is None:
        return None
    partner = Partner.objects.filter(slug=slug, active=True).first()
    if partner is None:
        raise ValidationError({field: [f"No partner has the slug “{slug}”."]})
    return partner


def _target(target_id: int | None, *, field: str = "target") -> Target | None:
    if target_id is None:
        return None
    target = Target.objects.filter(pk=target_id).first()
    if target is None:
        raise ValidationError({field: [f"No target has the id {target_id}."]})
    return target


class _VersionWithParts:
    """A version with the parts its page selector loaded (and what this person may do on each)."""

    def __init__(self, page: selectors.VersionPage):
        self._version = page.version
        self.sections, self.actions = page.sections, page.actions
        self.signoffs, self.attachments = page.signoffs, page.attachments

    def __getattr__(self, name):
        return getattr(self._version, name)


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404


# --- The views --------------------------------------------------------------------------------------
class PlanViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plans you may see: drafts to their owner and contributing partners (every plan to the PCC office),
    agreed plans to everyone. Filter with ?kind=, ?owner= and ?search=."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    queryset = Plan.objects.none()  # for the schema; rows come from the selectors

    def get_queryset(self):
        return (
            selectors.plans_visible_to(user=self.request.user)
            .select_related("owner")
            .prefetch_related("contributors", "priorities", "targets")
            .order_by("-period_start", "title")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.with_readable_versions(self.request.user, page) if page is not None else None

    def get_object(self) -> Plan:
        plan = selectors.plan_get(user=self.request.user, pk=_number(self.kwargs["pk"]))
        return selectors.with_readable_versions(self.request.user, [plan])[0]

    # --- a plan ----------------------------------------------------------------------------------
    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request, *args, **kwargs):
        """Start a plan, with its first draft version (an officer or board member for their partner; the PCC
        office for any, and for the board's own plans)."""
        data = _body(PlanCreateSerializer, request)
        slug = data.pop("owner")
        owner = None if slug == "board" else _partner(slug, field="owner")
        contributors = [_partner(s, field="contributors") for s in dict.fromkeys(data.pop("contributors"))]
        wanted = list(dict.fromkeys(data.pop("priorities")))
        priorities = list(
            permissions.visible(
                request.user, rules.PRIORITY_VIEW, Priority.objects.filter(active=True, slug__in=wanted)
            )
        )
        unknown = sorted(set(wanted) - {p.slug for p in priorities})
        if unknown:
            raise ValidationError({"priorities": [f"No priority has the slug “{s}”." for s in unknown]})
        plan = run_service(
            services.plan_create, owner=owner, contributors=contributors, priorities=priorities, by=request.user, **data
        )
        plan = self.get_queryset().get(pk=plan.pk)
        response = Response(self.get_serializer(selectors.with_readable_versions(request.user, [plan])[0]).data)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=VersionStartSerializer, responses={201: PlanVersionSerializer})
    @action(detail=True, methods=["post"], url_path="versions")
    def versions(self, request, pk=None, format=None):
        """Start a new draft from the latest version (to revise an agreed plan); 400 while one is open."""
        plan = self.get_object()
        if not permissions.can(request.user, rules.PLAN_MANAGE, plan):
            raise PermissionDenied(RUNS_IT)
        data = _body(VersionStartSerializer, request)
        version = run_service(services.plan_version_start, plan=plan, by=request.user, **data)
        return self._version_response(plan.pk, version.number, status.HTTP_201_CREATED)

    # --- a version -------------------------------------------------------------------------------
    def _plan_and_version(self, pk, number) -> tuple[Plan, PlanVersion]:
        plan = selectors.plan_get(user=self.request.user, pk=_number(pk))
        return plan, selectors.version_get(user=self.request.user, plan=plan, number=_number(number))

    def _version_response(self, pk, number, code=status.HTTP_200_OK) -> Response:
        plan = selectors.plan_get(user=self.request.user, pk=_number(pk))
        page = selectors.version_page(user=self.request.user, plan=plan, number=_number(number))
        data = PlanVersionSerializer(_VersionWithParts(page), context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(parameters=[NUMBER], responses=PlanVersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[^/]+)", url_name="version")
    def version(self, request, pk=None, number=None, format=None):
        """A version: its sections (with comments), delivery actions, documents and sign-offs, and what you
        may do on each."""
        return self._version_response(pk, number)

    @extend_schema(parameters=[NUMBER], request=SendSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/]+)/send", url_name="version-send")
    def send(self, request, pk=None, number=None, format=None):
        """Send a draft to every required partner's signatory (its owner's officers, or the PCC office)."""
        plan, version = self._plan_and_version(pk, number)
        if not PLAN_VERSION_FLOW.permitted(request.user, version, "send"):
            raise PermissionDenied(RUNS_IT)
        data = _body(SendSerializer, request)
        run_service(services.plan_version_send, version=version, by=request.user, **data)
        return self._version_response(pk, number)

    # --- sections ----------------------------------------------------------------------------------
    @extend_schema(parameters=[NUMBER], request=SectionAddSerializer, responses={201: PlanSectionSerializer})
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/]+)/sections", url_name="version-sections")
    def sections(self, request, pk=None, number=None, format=None):
        """Add a section to a draft and say which contributing partner writes it (the plan's owner)."""
        plan, version = self._plan_and_version(pk, number)
        if not permissions.can(request.user, rules.PLAN_MANAGE, plan):
            raise PermissionDenied(RUNS_IT)
        data = _body(SectionAddSerializer, request)
        data["assigned_to"] = _partner(data["assigned_to"], field="assigned_to")
        section = run_service(services.plan_section_add, version=version, by=request.user, **data)
        return self._section_response(pk, number, section.key, status.HTTP_201_CREATED)

    def _item_response(self, pk, number, key, *, items: str, serializer, code=status.HTTP_200_OK) -> Response:
        """One section or action of a version, from the same page data the HTML page shows."""
        plan = selectors.plan_get(user=self.request.user, pk=_number(pk))
        page = selectors.version_page(user=self.request.user, plan=plan, number=_number(number))
        found = next((item for item in getattr(page, items) if item.key == key), None)
        if found is None:
            raise Http404
        return Response(serializer(found).data, status=code)

    def _section_response(self, pk, number, key, code=status.HTTP_200_OK) -> Response:
        return self._item_response(pk, number, key, items="sections", serializer=PlanSectionSerializer, code=code)

    @extend_schema(methods=["GET"], parameters=[NUMBER, KEY], responses=PlanSectionSerializer)
    @extend_schema(
        methods=["PATCH"], parameters=[NUMBER, KEY], request=SectionChangeSerializer, responses=PlanSectionSerializer
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"versions/(?P<number>[^/]+)/sections/(?P<key>[^/]+)",
        url_name="version-section",
    )
    def section(self, request, pk=None, number=None, key=None, format=None):
        """A section; PATCH its title or text (Markdown) while the version is a draft: the officers of the
        partner it is assigned to (of the owner, if none)."""
        if request.method == "PATCH":
            plan = selectors.plan_get(user=request.user, pk=_number(pk))
            found = selectors.section_get(user=request.user, plan=plan, number=_number(number), key=key)
            if not services.can_edit_section(request.user, found) and found.version.status == PlanVersion.Status.DRAFT:
                raise PermissionDenied("Only the officers of the partner it is assigned to write this section.")
            data = _body(SectionChangeSerializer, request)
            if not data:
                raise ValidationError({"detail": "Send the section's title, its body, or both."})
            run_service(
                services.plan_section_update,
                section=found,
                by=request.user,
                title=data.get("title"),
                body=data.get("body", found.body),
            )
        return self._section_response(pk, number, key)

    @extend_schema(parameters=[NUMBER, KEY], request=CommentAddSerializer, responses={201: PlanSectionSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[^/]+)/sections/(?P<key>[^/]+)/comments",
        url_name="version-section-comments",
    )
    def comments(self, request, pk=None, number=None, key=None, format=None):
        """Comment on a section, or reply to a comment (anyone who may see the draft, while it is written or
        signed off). Answers with the section and its comments."""
        plan = selectors.plan_get(user=request.user, pk=_number(pk))
        found = selectors.section_get(user=request.user, plan=plan, number=_number(number), key=key)
        data = _body(CommentAddSerializer, request)
        parent = None
        if data["parent"] is not None:
            parent = found.comments.filter(pk=data["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": ["No comment on this section has that id."]})
        run_service(services.plan_comment_add, section=found, body=data["body"], parent=parent, by=request.user)
        return self._section_response(pk, number, key, status.HTTP_201_CREATED)

    # --- delivery actions --------------------------------------------------------------------------
    @extend_schema(parameters=[NUMBER], request=ActionAddSerializer, responses={201: PlanActionSerializer})
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/]+)/actions", url_name="version-actions")
    def add_action(self, request, pk=None, number=None, format=None):
        """Add a delivery action to a draft (the plan's owner)."""
        plan, version = self._plan_and_version(pk, number)
        if not permissions.can(request.user, rules.PLAN_MANAGE, plan):
            raise PermissionDenied(RUNS_IT)
        data = _body(ActionAddSerializer, request)
        data["owner"] = _partner(data["owner"], field="owner")
        data["target"] = _target(data["target"])
        added = run_service(services.plan_action_add, version=version, by=request.user, **data)
        return self._action_response(pk, number, added.key, status.HTTP_201_CREATED)

    def _action_response(self, pk, number, key, code=status.HTTP_200_OK) -> Response:
        return self._item_response(pk, number, key, items="actions", serializer=PlanActionSerializer, code=code)

    @extend_schema(methods=["GET"], parameters=[NUMBER, KEY], responses=PlanActionSerializer)
    @extend_schema(
        methods=["PATCH"], parameters=[NUMBER, KEY], request=ActionChangeSerializer, responses=PlanActionSerializer
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"versions/(?P<number>[^/]+)/actions/(?P<key>[^/]+)",
        url_name="version-action",
    )
    def delivery_action(self, request, pk=None, number=None, key=None, format=None):
        """A delivery action; PATCH what, due date, target or status while the version is a draft (its partner's
        officers, or whoever runs the plan)."""
        if request.method == "PATCH":
            plan, version = self._plan_and_version(pk, number)
            found = version.actions.select_related("owner").filter(key=key).first()
            if found is None:
                raise Http404
            found.version = version
            if version.status == PlanVersion.Status.DRAFT and not services.can_update_action(
                request.user, found, version
            ):
                raise PermissionDenied("Only the officers of the partner that does it, or the plan's owner, change it.")
            data = _body(ActionChangeSerializer, request)
            if not {k for k in data if k != "confirm_past"}:
                raise ValidationError({"detail": "Send what, due_date, target or status: at least one."})
            if "target" in data:
                data["target"] = _target(data["target"])
            run_service(services.plan_action_update, action=found, by=request.user, **data)
        return self._action_response(pk, number, key)

    @extend_schema(parameters=[NUMBER, KEY], request=ActionProgressSerializer, responses=PlanActionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[^/]+)/actions/(?P<key>[^/]+)/progress",
        url_name="version-action-progress",
    )
    def action_progress(self, request, pk=None, number=None, key=None, format=None):
        """Record progress on an action of the agreed version (status, a note, the day it was done): the
        officers of the partner that does it. 400 on a version that is not the agreed one."""
        plan, version = self._plan_and_version(pk, number)
        found = version.actions.select_related("owner").filter(key=key).first()
        if found is None:
            raise Http404
        found.version = version
        if version.status == PlanVersion.Status.AGREED and not services.can_record_progress(
            request.user, found, version
        ):
            raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
        data = _body(ActionProgressSerializer, request)
        run_service(services.plan_action_progress, action=found, by=request.user, **data)
        return self._action_response(pk, number, key)

    @extend_schema(parameters=[NUMBER], request=VersionNoteSerializer, responses=PlanVersionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[^/]+)/what-changed",
        url_name="version-note",
    )
    def version_note(self, request, pk=None, number=None, format=None):
        """Say what changed in a draft (the plan's owner): signatories read it with the version."""
        plan, version = self._plan_and_version(pk, number)
        if not permissions.can(request.user, rules.PLAN_MANAGE, plan):
            raise PermissionDenied(RUNS_IT)
        data = _body(VersionNoteSerializer, request)
        run_service(services.plan_version_note, version=version, by=request.user, note=data["change_note"])
        return self._version_response(pk, number)

    # --- sign-off ---------------------------------------------------------------------------------
    def _signoff(self, request, pk, number, partner, transition) -> PlanSignOff:
        plan = selectors.plan_get(user=request.user, pk=_number(pk))
        signoff = selectors.signoff_get(user=request.user, plan=plan, number=_number(number), partner_slug=partner)
        refuse_tokens(request, PLAN_STEP_UP)
        if not SIGNOFF_FLOW.permitted(request.user, signoff, transition):
            raise PermissionDenied(f"Only {signoff.partner.short_name}'s signatories decide for it.")
        return signoff

    @extend_schema(parameters=[NUMBER, PARTNER], request=SignOffSignSerializer, responses=PlanVersionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[^/]+)/sign-offs/(?P<partner>[^/]+)/sign",
        url_name="signoff-sign",
    )
    def sign(self, request, pk=None, number=None, partner=None, format=None):
        """Sign the version off for your partner (its signatories, in a session with a second factor confirmed
        in the last 15 minutes; never a token). When every partner has signed, it is agreed and locked."""
        signoff = self._signoff(request, pk, number, partner, "sign")
        data = _body(SignOffSignSerializer, request)
        run_service(
            services.plan_signoff_sign,
            step_up_what=PLAN_STEP_UP,
            signoff=signoff,
            by=request.user,
            statement=data["statement"],
            confirmed_at=step_up_time(request),
        )
        return self._version_response(pk, number)

    @extend_schema(
        parameters=[NUMBER, PARTNER], request=SignOffReturnSerializer, responses={201: PlanVersionSerializer}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[^/]+)/sign-offs/(?P<partner>[^/]+)/return",
        url_name="signoff-return",
    )
    def return_version(self, request, pk=None, number=None, partner=None, format=None):
        """Return the version with reasons for your partner (its signatories; a second factor confirmed in the
        last 15 minutes; never a token). The round closes; answers with the new draft made from it (201)."""
        signoff = self._signoff(request, pk, number, partner, "return")
        data = _body(SignOffReturnSerializer, request)
        draft = run_service(
            services.plan_signoff_return,
            step_up_what=PLAN_STEP_UP,
            signoff=signoff,
            by=request.user,
            reasons=data["reasons"],
            confirmed_at=step_up_time(request),
        )
        return self._version_response(pk, draft.number, status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
