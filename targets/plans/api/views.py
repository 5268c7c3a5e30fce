"""The plans API's views: each reads through the selectors and writes through a service, whose refusal
speaks for itself (400, 403 or 429: portal.api_actions.run_service)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partners.models import Partner
from portal import permissions
from portal.api_actions import refuse_tokens, run_service, step_up_time
from portal.api_base import StrictQueryParamsMixin

from ... import rules
from ...filters import PlanFilter
from ...models import Priority, Target
from .. import selectors, services
from ..models import Plan, PlanSignOff, PlanVersion
from .serializers import (
    KEY,
    NUMBER,
    PARTNER,
    PLAN_STEP_UP,
    ActionAddSerializer,
    ActionChangeSerializer,
    ActionProgressSerializer,
    CommentAddSerializer,
    PlanActionSerializer,
    PlanCreateSerializer,
    PlanSectionSerializer,
    PlanSerializer,
    PlanVersionSerializer,
    SectionAddSerializer,
    SectionChangeSerializer,
    SendSerializer,
    SignOffReturnSerializer,
    SignOffSignSerializer,
    VersionNoteSerializer,
    VersionStartSerializer,
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
        data = _body(SendSerializer, request)
        run_service(services.plan_version_send, version=version, by=request.user, **data)
        return self._version_response(pk, number)

    # --- sections ----------------------------------------------------------------------------------
    @extend_schema(parameters=[NUMBER], request=SectionAddSerializer, responses={201: PlanSectionSerializer})
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/]+)/sections", url_name="version-sections")
    def sections(self, request, pk=None, number=None, format=None):
        """Add a section to a draft and say which contributing partner writes it (the plan's owner)."""
        plan, version = self._plan_and_version(pk, number)
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
        data = _body(VersionNoteSerializer, request)
        run_service(services.plan_version_note, version=version, by=request.user, note=data["change_note"])
        return self._version_response(pk, number)

    # --- sign-off ---------------------------------------------------------------------------------
    def _signoff(self, request, pk, number, partner) -> PlanSignOff:
        plan = selectors.plan_get(user=request.user, pk=_number(pk))
        signoff = selectors.signoff_get(user=request.user, plan=plan, number=_number(number), partner_slug=partner)
        refuse_tokens(request, PLAN_STEP_UP)
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
        signoff = self._signoff(request, pk, number, partner)
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
        signoff = self._signoff(request, pk, number, partner)
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
