"""The PCC's powers' API views: each reads through callins.selectors and writes through a service, whose refusal
speaks for itself (400, 403 or 429: portal.api_actions.run_service). Step-up actions (issuing, determining and
withdrawing a call-in, submitting a response, waiving a call-in, signing a PCC decision) need a person who has
just confirmed a second factor: API tokens are refused (403) before anything else."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from portal.api_actions import refuse_tokens, run_service, step_up_time
from targets import selectors as target_selectors

from .. import rules, selectors, services
from ..filters import AppointmentFilter, CallInFilter, DecisionFilter, PccDecisionFilter
from ..models import Appointment, CallIn, CallInGround, PartnerDecision, PccDecision
from .base import ISSUE, SIGN, SUBMIT, WAIVE, Rows, acting_partner, body_of, partner_named
from .bodies import (
    AppointmentOpenSerializer,
    AppointmentWithdrawSerializer,
    CallInChangeSerializer,
    CallInDraftSerializer,
    ConsultSerializer,
    DecisionLogSerializer,
    DetermineSerializer,
    OutcomeSerializer,
    PccDecisionChangeSerializer,
    PccDecisionDraftSerializer,
    ReasonsSerializer,
    ResponseSerializer,
    ShortlistSerializer,
    SubmitSerializer,
    TakeEffectSerializer,
    ViewSerializer,
    WithdrawCallInSerializer,
)
from .serializers import (
    AppointmentDetailSerializer,
    AppointmentSerializer,
    CallInDetailSerializer,
    CallInSerializer,
    DecisionDetailSerializer,
    DecisionSerializer,
    PccDecisionDetailSerializer,
    PccDecisionSerializer,
)


# --- Partners' decisions ---------------------------------------------------------------------------------
class DecisionViewSet(Rows):
    """Partners' significant decisions: a partner's own, and every one for the PCC office. Filter with
    ?search=, ?partner=, ?status= and ?window=. POST logs a decision (its partner's officers), opening the PCC's
    call-in window."""

    serializer_class = DecisionSerializer
    detail_serializer_class = DecisionDetailSerializer
    filterset_class = DecisionFilter
    queryset = PartnerDecision.objects.none()  # for the schema; rows come from the selectors

    def get_queryset(self):
        return selectors.decisions_visible_to(user=self.request.user).prefetch_related("priorities", "targets")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # the call-in of each, where the caller may see it (a draft is the PCC office's own)
            seen = {
                c.decision_id: c for c in selectors.callins_visible_to(user=self.request.user).filter(decision__in=page)
            }
            for decision in page:
                decision.callin_seen = seen.get(decision.pk)
        return page

    def row_get(self, pk: int) -> PartnerDecision:
        return selectors.decision_get(user=self.request.user, pk=pk)

    @extend_schema(request=DecisionLogSerializer, responses={201: DecisionDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Log a significant decision for your partner (its officers and signatories): the PCC may call it in
        until its window closes, `window_working_days` working days from today."""
        data = body_of(DecisionLogSerializer, request)
        partner = acting_partner(request, data.pop("partner", None), rules.DECISION_LOG)
        data["priorities"] = self._priorities(data["priorities"])
        data["targets"] = self._targets(data["targets"])
        decision = run_service(services.decision_log, partner=partner, by=request.user, **data)
        return self._answer(decision.pk, status.HTTP_201_CREATED)

    def _priorities(self, slugs: list[str]) -> list:
        wanted = list(dict.fromkeys(slugs))
        found = [p for p in target_selectors.priority_list(user=self.request.user) if p.slug in wanted]
        unknown = sorted(set(wanted) - {p.slug for p in found})
        if unknown:
            raise ValidationError({"priorities": [f"No priority has the slug “{s}”." for s in unknown]})
        return found

    def _targets(self, ids: list[int]) -> list:
        wanted = list(dict.fromkeys(ids))
        found = list(target_selectors.targets_visible_to(user=self.request.user).filter(pk__in=wanted))
        unknown = sorted(set(wanted) - {t.pk for t in found})
        if unknown:
            raise ValidationError({"targets": [f"No target has the id {i}." for i in unknown]})
        return found

    @extend_schema(request=TakeEffectSerializer, responses=DecisionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="take-effect", url_name="take-effect")
    def take_effect(self, request, pk=None, format=None):
        """Record that the decision has taken effect (its partner's officers): not while it may still be called
        in, nor while a call-in on it is unresolved."""
        decision = self.get_object()
        data = body_of(TakeEffectSerializer, request)
        run_service(services.decision_take_effect, decision=decision, by=request.user, on=data["on"])
        return self._answer(decision.pk)

    @extend_schema(request=ReasonsSerializer, responses=DecisionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="waive", url_name="waive")
    def waive(self, request, pk=None, format=None):
        """Waive the call-in of a decision still in its window, with reasons (the Commissioner, with a second
        factor confirmed in the last 15 minutes; never a token): it may take effect now."""
        decision = self.get_object()
        refuse_tokens(request, WAIVE)
        data = body_of(ReasonsSerializer, request)
        run_service(
            services.decision_waive,
            step_up_what=WAIVE,
            decision=decision,
            by=request.user,
            reasons=data["reasons"],
            confirmed_at=step_up_time(request),
        )
        return self._answer(decision.pk)

    @extend_schema(request=OutcomeSerializer, responses=DecisionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="outcome", url_name="outcome")
    def outcome(self, request, pk=None, format=None):
        """After a referral back, record what was decided in the end (its partner's officers): the call-in
        closes, and the decision cannot be called in again."""
        decision = self.get_object()
        data = body_of(OutcomeSerializer, request)
        run_service(services.decision_record_outcome, decision=decision, by=request.user, **data)
        return self._answer(decision.pk)


# --- Call-ins ------------------------------------------------------------------------------------------------
def _grounds(names: list[str]) -> list[CallInGround]:
    """Grounds by name, in any case (the PCC office keeps a short list)."""
    by_name = {g.name.lower(): g for g in CallInGround.objects.all()}
    wanted = list(dict.fromkeys(n.strip().lower() for n in names))
    unknown = [n for n in names if n.strip().lower() not in by_name]
    if unknown:
        raise ValidationError({"grounds": [f"No ground for a call-in is called “{n}”." for n in unknown]})
    return [by_name[n] for n in wanted]


class CallInViewSet(Rows):
    """Call-ins: the deciding partner's (once issued), and every one for the PCC office. Filter with ?search=,
    ?partner= and ?status=. POST drafts one (the PCC office); the Commissioner issues, determines and withdraws
    (step-up: never a token); the partner's officers write the response and its signatory submits it (step-up)."""

    serializer_class = CallInSerializer
    detail_serializer_class = CallInDetailSerializer
    filterset_class = CallInFilter
    queryset = CallIn.objects.none()

    def get_queryset(self):
        return (
            selectors.callins_visible_to(user=self.request.user)
            .select_related("pcc_decision")
            .prefetch_related("grounds", "attachments")
        )

    def row_get(self, pk: int) -> CallIn:
        return selectors.callin_get(user=self.request.user, pk=pk)

    @extend_schema(request=CallInDraftSerializer, responses={201: CallInDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Draft a call-in of a decision still in its window (the PCC office), for the Commissioner to issue."""
        data = body_of(CallInDraftSerializer, request)
        decision = selectors.decisions_visible_to(user=request.user).filter(pk=data.pop("decision")).first()
        if decision is None:
            raise ValidationError({"decision": ["No decision you can see has that id."]})
        callin = run_service(
            services.callin_draft, decision=decision, by=request.user, grounds=_grounds(data.pop("grounds")), **data
        )
        return self._answer(callin.pk, status.HTTP_201_CREATED)

    @extend_schema(request=CallInChangeSerializer, responses=CallInDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a draft: its grounds, questions or the working days for the response (the PCC office)."""
        callin = self.get_object()
        data = body_of(CallInChangeSerializer, request)
        if not data:
            raise ValidationError({"detail": "Send grounds, questions or response_working_days: at least one."})
        if "grounds" in data:
            data["grounds"] = _grounds(data["grounds"])
        run_service(services.callin_update, callin=callin, by=request.user, **data)
        return self._answer(callin.pk)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="discard", url_name="discard")
    def discard(self, request, pk=None, format=None):
        """Discard a draft (the PCC office): the decision may be called in again within its window."""
        callin = self.get_object()
        run_service(services.callin_discard, callin=callin, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CallInDetailSerializer)
    @action(detail=True, methods=["post"], url_path="issue", url_name="issue")
    def issue(self, request, pk=None, format=None):
        """Issue a draft within the decision's window (the Commissioner; a second factor confirmed in the last
        15 minutes; never a token): the decision is paused and the partner's response is due."""
        callin = self.get_object()
        refuse_tokens(request, ISSUE)
        run_service(
            services.callin_issue,
            step_up_what=ISSUE,
            callin=callin,
            by=request.user,
            confirmed_at=step_up_time(request),
        )
        return self._answer(callin.pk)

    @extend_schema(request=ResponseSerializer, responses=CallInDetailSerializer)
    @action(detail=True, methods=["post"], url_path="response", url_name="response")
    def save_response(self, request, pk=None, format=None):
        """Save the partner's response, as often as needed before it is submitted (its officers and
        signatories)."""
        callin = self.get_object()
        data = body_of(ResponseSerializer, request)
        run_service(services.callin_response_save, callin=callin, by=request.user, response_text=data["response_text"])
        return self._answer(callin.pk)

    @extend_schema(request=SubmitSerializer, responses=CallInDetailSerializer)
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request, pk=None, format=None):
        """Submit the partner's response (its signatory; a second factor confirmed in the last 15 minutes; never
        a token): the PCC's determination is then due."""
        callin = self.get_object()
        refuse_tokens(request, SUBMIT)
        data = body_of(SubmitSerializer, request)
        run_service(
            services.callin_submit,
            step_up_what=SUBMIT,
            callin=callin,
            by=request.user,
            response_text=data.get("response_text"),
            confirmed_at=step_up_time(request),
        )
        return self._answer(callin.pk)

    @extend_schema(request=DetermineSerializer, responses=CallInDetailSerializer)
    @action(detail=True, methods=["post"], url_path="determine", url_name="determine")
    def determine(self, request, pk=None, format=None):
        """Determine a call-in with the partner's response (the Commissioner; step-up; never a token): the
        decision stands, or is referred back with recommendations. Recorded and published as a PCC decision."""
        callin = self.get_object()
        refuse_tokens(request, ISSUE)
        data = body_of(DetermineSerializer, request)
        run_service(
            services.callin_determine,
            step_up_what=ISSUE,
            callin=callin,
            by=request.user,
            confirmed_at=step_up_time(request),
            **data,
        )
        return self._answer(callin.pk)

    @extend_schema(request=WithdrawCallInSerializer, responses=CallInDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk=None, format=None):
        """Withdraw an open call-in, with reasons (the Commissioner; step-up; never a token): the decision is
        released. Recorded and published as a PCC decision."""
        callin = self.get_object()
        refuse_tokens(request, ISSUE)
        data = body_of(WithdrawCallInSerializer, request)
        run_service(
            services.callin_withdraw,
            step_up_what=ISSUE,
            callin=callin,
            by=request.user,
            reasons=data["reasons"],
            confirmed_at=step_up_time(request),
        )
        return self._answer(callin.pk)


# --- The PCC's decisions -----------------------------------------------------------------------------------
class PccDecisionViewSet(Rows):
    """The PCC's formal decisions: signed ones (not confidential) for everyone signed in, every one with drafts
    for the PCC office. Filter with ?search=, ?partner=, ?kind=, ?year= and ?status=. POST prepares a draft (the
    PCC office); the Commissioner signs it (step-up: never a token), giving it the next number of the year."""

    serializer_class = PccDecisionSerializer
    detail_serializer_class = PccDecisionDetailSerializer
    filterset_class = PccDecisionFilter
    queryset = PccDecision.objects.none()

    def get_queryset(self):
        return selectors.pcc_decisions_visible_to(user=self.request.user).select_related("callin")

    def row_get(self, pk: int) -> PccDecision:
        return selectors.pcc_decision_get(user=self.request.user, pk=pk)

    @extend_schema(request=PccDecisionDraftSerializer, responses={201: PccDecisionDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Prepare a decision for the Commissioner to sign (the PCC office)."""
        data = body_of(PccDecisionDraftSerializer, request)
        data["partner"] = partner_named(data["partner"])
        decision = run_service(services.pcc_decision_draft, by=request.user, **data)
        return self._answer(decision.pk, status.HTTP_201_CREATED)

    @extend_schema(request=PccDecisionChangeSerializer, responses=PccDecisionDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a draft (the PCC office): any of its fields; those left out stay as they are."""
        decision = self.get_object()
        data = body_of(PccDecisionChangeSerializer, request)
        if not data:
            raise ValidationError({"detail": "Send at least one field to change."})
        if "partner" in data:
            data["partner"] = partner_named(data["partner"])
        fields = ("title", "summary", "reasons", "financial_implications", "interests_declared", "confidential")
        given = {name: getattr(decision, name) for name in fields} | {"partner": decision.partner} | data
        run_service(services.pcc_decision_update, decision=decision, by=request.user, **given)
        return self._answer(decision.pk)

    @extend_schema(request=None, responses=PccDecisionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="sign", url_name="sign")
    def sign(self, request, pk=None, format=None):
        """Sign a draft (the Commissioner; a second factor confirmed in the last 15 minutes; never a token): it
        takes the next number of the financial year and is published."""
        decision = self.get_object()
        refuse_tokens(request, SIGN)
        run_service(
            services.pcc_decision_sign,
            step_up_what=SIGN,
            decision=decision,
            by=request.user,
            confirmed_at=step_up_time(request),
        )
        return self._answer(decision.pk)


# --- Senior appointments -------------------------------------------------------------------------------------
class AppointmentViewSet(Rows):
    """Senior appointments: a partner's own, and every one for the PCC office. Filter with ?partner= and ?stage=.
    POST records a post being filled (the partner's officers); the PCC office records the PCC's view; the
    partner confirms once the view is recorded or its deadline has passed."""

    serializer_class = AppointmentSerializer
    detail_serializer_class = AppointmentDetailSerializer
    filterset_class = AppointmentFilter
    queryset = Appointment.objects.none()

    def get_queryset(self):
        return selectors.appointments_visible_to(user=self.request.user)

    def row_get(self, pk: int) -> Appointment:
        return selectors.appointment_get(user=self.request.user, pk=pk)

    @extend_schema(request=AppointmentOpenSerializer, responses={201: AppointmentDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Record a senior post being filled (its partner's officers)."""
        data = body_of(AppointmentOpenSerializer, request)
        partner = acting_partner(request, data.pop("partner", None), rules.APPOINTMENT_RECORD)
        appointment = run_service(services.appointment_open, partner=partner, by=request.user, **data)
        return self._answer(appointment.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ShortlistSerializer, responses=AppointmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="shortlist", url_name="shortlist")
    def shortlist(self, request, pk=None, format=None):
        """Record who is shortlisted (the partner's officers)."""
        appointment = self.get_object()
        data = body_of(ShortlistSerializer, request)
        run_service(services.appointment_shortlist, appointment=appointment, by=request.user, **data)
        return self._answer(appointment.pk)

    @extend_schema(request=ConsultSerializer, responses=AppointmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="consult", url_name="consult")
    def consult(self, request, pk=None, format=None):
        """Consult the PCC on who is proposed (the partner's officers): the PCC's view is due in
        `view_working_days` working days."""
        appointment = self.get_object()
        data = body_of(ConsultSerializer, request)
        run_service(services.appointment_consult, appointment=appointment, by=request.user, **data)
        return self._answer(appointment.pk)

    @extend_schema(request=ViewSerializer, responses=AppointmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="view", url_name="view")
    def record_view(self, request, pk=None, format=None):
        """Record the PCC's view (the PCC office): support, or concerns with reasons."""
        appointment = self.get_object()
        data = body_of(ViewSerializer, request)
        run_service(services.appointment_record_view, appointment=appointment, by=request.user, **data)
        return self._answer(appointment.pk)

    @extend_schema(request=None, responses=AppointmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="confirm", url_name="confirm")
    def confirm(self, request, pk=None, format=None):
        """Confirm the appointment (the partner's officers): once the PCC's view is recorded, or its deadline has
        passed (the record then says it was confirmed without the view)."""
        appointment = self.get_object()
        run_service(services.appointment_confirm, appointment=appointment, by=request.user)
        return self._answer(appointment.pk)

    @extend_schema(request=AppointmentWithdrawSerializer, responses=AppointmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk=None, format=None):
        """Withdraw the appointment, with reasons (the partner's officers)."""
        appointment = self.get_object()
        data = body_of(AppointmentWithdrawSerializer, request)
        run_service(services.appointment_withdraw, appointment=appointment, by=request.user, **data)
        return self._answer(appointment.pk)


def register(router) -> None:
    """Add the PCC's powers to the API router (/api/v1/...)."""
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("callins", CallInViewSet, basename="callin")
    router.register("pcc-decisions", PccDecisionViewSet, basename="pcc-decision")
    router.register("appointments", AppointmentViewSet, basename="appointment")
