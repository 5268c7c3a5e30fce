"""The devolved funds' API views: each reads through funding.selectors and writes through a service, whose refusal
speaks for itself (400, 403 or 429: portal.api_actions.run_service). Step-up actions (awarding and declining an
application, cancelling an award) need a person who has just confirmed a second factor: API tokens are refused
(403) before anything else."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partners.models import Area
from portal.api_actions import refuse_tokens, run_service, step_up_time
from portal.api_base import ErrorSerializer
from targets import selectors as target_selectors

from .. import selectors, services
from ..models import Application, Award, Criterion, Fund, Round
from ..workflows import APPLICATION_FLOW, AWARD_FLOW, ROUND_FLOW
from .base import AWARD, Rows, applying_organisation, body_of, number_of, with_actions
from .bodies import (
    ApplicationChangeSerializer,
    ApplicationConflictSerializer,
    ApplicationDraftSerializer,
    ApplicationScoreSerializer,
    ApplicationSubmitSerializer,
    AwardMakeSerializer,
    GrantReasonsSerializer,
    InstalmentPaySerializer,
    SpendReturnSubmitSerializer,
)
from .filters import ApplicationFilter, AwardFilter, FundFilter, RoundFilter
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    AwardDetailSerializer,
    AwardSerializer,
    FundDetailSerializer,
    FundSerializer,
    RoundDetailSerializer,
    RoundSerializer,
)

INSTALMENT = OpenApiParameter(
    "instalment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The instalment's id (the award lists them)"
)
RETURN = OpenApiParameter(
    "return_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The spend return's id (the award lists them)"
)


# --- Funds ---------------------------------------------------------------------------------------------------
class FundViewSet(Rows):
    """The devolved funds and their positions (budget, income, committed, paid, available), for those who may
    see them: the PCC office and board members. Anyone else gets an empty list, as from the other lists of
    things they may not see, and 403 for one fund: that funds exist is no secret (each round names its fund),
    their positions are. Filter with ?financial_year= and ?kind=."""

    serializer_class = FundSerializer
    detail_serializer_class = FundDetailSerializer
    filterset_class = FundFilter
    queryset = Fund.objects.none()  # for the schema; rows come from the selectors

    def get_queryset(self):
        return selectors.funds_visible_to(user=self.request.user)

    def row_get(self, pk: int) -> Fund:
        return selectors.fund_get(user=self.request.user, pk=pk)

    @extend_schema(
        responses={
            200: FundDetailSerializer,
            403: OpenApiResponse(ErrorSerializer, description="You may not see the funds' positions"),
        }
    )
    def retrieve(self, request, *args, **kwargs):
        """One fund's position and the income received into it (the PCC office and board members)."""
        return super().retrieve(request, *args, **kwargs)


# --- Rounds --------------------------------------------------------------------------------------------------
class RoundViewSet(Rows):
    """Funding rounds: everyone signed in sees those that have opened (open, in assessment, closed); the PCC
    office sees drafts too, and moves them on: open, assess (closed for applications), close. Filter with
    ?fund= and ?status=."""

    serializer_class = RoundSerializer
    detail_serializer_class = RoundDetailSerializer
    filterset_class = RoundFilter
    queryset = Round.objects.none()

    def get_queryset(self):
        return selectors.rounds_visible_to(user=self.request.user).prefetch_related("criteria")

    def row_get(self, pk: int) -> Round:
        return with_actions(selectors.round_get(user=self.request.user, pk=pk), ROUND_FLOW, self.request.user)

    @extend_schema(request=None, responses=RoundDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open", url_name="open")
    def open(self, request, pk=None, format=None):
        """Open a draft round for applications, until its closing date (the PCC office)."""
        round_ = self.get_object()
        run_service(services.round_open, round_=round_, by=request.user)
        return self._answer(round_.pk)

    @extend_schema(request=None, responses=RoundDetailSerializer)
    @action(detail=True, methods=["post"], url_path="assess", url_name="assess")
    def assess(self, request, pk=None, format=None):
        """Close an open round for applications and assess it, with its submitted applications (the PCC
        office): drafts can no longer be submitted."""
        round_ = self.get_object()
        run_service(services.round_close_for_applications, round_=round_, by=request.user)
        return self._answer(round_.pk)

    @extend_schema(request=None, responses=RoundDetailSerializer)
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def close(self, request, pk=None, format=None):
        """Close a round in assessment once every application in it is decided (the PCC office)."""
        round_ = self.get_object()
        run_service(services.round_close, round_=round_, by=request.user)
        return self._answer(round_.pk)


# --- Applications --------------------------------------------------------------------------------------------
def _content(request, data: dict) -> dict:
    """The names in a body (a programme's slug, targets' ids, areas' codes) as the rows the service takes."""
    if "budget_lines" in data:
        data["budget_lines"] = [(line["item"], line["amount"]) for line in data["budget_lines"]]
    if data.get("programme") is not None:
        programme = selectors.programmes().filter(slug=data["programme"]).first()
        if programme is None:
            raise ValidationError({"programme": [f"No programme has the slug “{data['programme']}”."]})
        data["programme"] = programme
    if "targets" in data:
        wanted = list(dict.fromkeys(data["targets"]))
        found = list(target_selectors.targets_visible_to(user=request.user).filter(pk__in=wanted))
        unknown = sorted(set(wanted) - {t.pk for t in found})
        if unknown:
            raise ValidationError({"targets": [f"No target you may see has the id {i}." for i in unknown]})
        data["targets"] = found
    if "areas" in data:
        wanted = list(dict.fromkeys(data["areas"]))
        found = list(Area.objects.filter(code__in=wanted))
        unknown = sorted(set(wanted) - {a.code for a in found})
        if unknown:
            raise ValidationError({"areas": [f"No area has the code “{c}”." for c in unknown]})
        data["areas"] = found
    return data


def _criterion(application: Application, name: str) -> Criterion:
    """One of the round's criteria by name, in any case."""
    found = {c.name.lower(): c for c in application.round.criteria.all()}.get(name.strip().lower())
    if found is None:
        raise ValidationError({"criterion": [f"The round has no criterion called “{name}”."]})
    return found


class ApplicationViewSet(Rows):
    """Applications for funding: an applicant's own (its officers and signatories), every one for the PCC office.
    Filter with ?round=, ?status= and ?organisation=. POST drafts one while its round is open; the applicant
    changes (PATCH), submits and withdraws it; the PCC office's officers score it and declare conflicts; the
    Commissioner awards or declines it (step-up: never a token)."""

    serializer_class = ApplicationSerializer
    detail_serializer_class = ApplicationDetailSerializer
    filterset_class = ApplicationFilter
    queryset = Application.objects.none()

    def get_queryset(self):
        return (
            selectors.applications_visible_to(user=self.request.user)
            .select_related("organisation__partner", "programme", "award")
            .prefetch_related("budget_lines", "targets", "areas", "attachments")
        )

    def row_get(self, pk: int) -> Application:
        user = self.request.user
        application = with_actions(selectors.application_get(user=user, pk=pk), APPLICATION_FLOW, user)
        application.assessment = selectors.application_assessment(user=user, application=application)
        return application

    @extend_schema(request=ApplicationDraftSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Draft an application to a round open for applications (the applying organisation's officers and
        signatories), for no more than the round's maximum award."""
        data = body_of(ApplicationDraftSerializer, request)
        round_ = selectors.rounds_visible_to(user=request.user).filter(pk=data.pop("round")).first()
        if round_ is None:
            raise ValidationError({"round": ["No round you may see has that id."]})
        organisation = applying_organisation(request, data.pop("organisation", None))
        application = run_service(
            services.application_draft,
            round_=round_,
            organisation=organisation,
            by=request.user,
            **_content(request, data),
        )
        return self._answer(application.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationChangeSerializer, responses=ApplicationDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a draft while its round is open (the applicant's officers and signatories): any of its fields;
        those left out stay as they are."""
        application = self.get_object()
        data = body_of(ApplicationChangeSerializer, request)
        if not data:
            raise ValidationError({"detail": "Send at least one field to change."})
        given = {
            "project_title": application.project_title,
            "summary": application.summary,
            "amount_asked": application.amount_asked,
            "budget_lines": [(line.item, line.amount) for line in application.budget_lines.all()],
            "targets": list(application.targets.all()),
            "areas": list(application.areas.all()),
            "programme": application.programme,
        } | _content(request, data)
        run_service(services.application_update, application=application, by=request.user, **given)
        return self._answer(application.pk)

    @extend_schema(request=ApplicationSubmitSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request, pk=None, format=None):
        """Submit a draft while its round is open (the applicant's officers and signatories), confirming the
        organisation meets the round's eligibility: its budget lines must add up to the amount asked for."""
        application = self.get_object()
        data = body_of(ApplicationSubmitSerializer, request)
        run_service(services.application_submit, application=application, by=request.user, **data)
        return self._answer(application.pk)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk=None, format=None):
        """Withdraw an application not yet decided (the applicant's officers and signatories)."""
        application = self.get_object()
        run_service(services.application_withdraw, application=application, by=request.user)
        return self._answer(application.pk)

    @extend_schema(request=ApplicationScoreSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="scores", url_name="scores")
    def scores(self, request, pk=None, format=None):
        """Score a submitted application on one of its round's criteria, 1 to 5 with a rationale (the PCC
        office's officers; scoring a criterion again replaces your score). Never by an assessor who declared a
        conflict on it, nor by one of the applicant's own people."""
        application = self.get_object()
        data = body_of(ApplicationScoreSerializer, request)
        criterion = _criterion(application, data.pop("criterion"))
        run_service(services.score_record, application=application, criterion=criterion, by=request.user, **data)
        return self._answer(application.pk)

    @extend_schema(request=ApplicationConflictSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="conflict", url_name="conflict")
    def conflict(self, request, pk=None, format=None):
        """Declare a conflict of interest on a submitted application (the PCC office's officers): you can no
        longer score it, and any scores you gave it are removed."""
        application = self.get_object()
        data = body_of(ApplicationConflictSerializer, request)
        run_service(services.conflict_declare, application=application, by=request.user, **data)
        return self._answer(application.pk)

    @extend_schema(request=AwardMakeSerializer, responses={201: AwardDetailSerializer})
    @action(detail=True, methods=["post"], url_path="award", url_name="award")
    def award(self, request, pk=None, format=None):
        """Award a grant on an application in assessment (the Commissioner; a second factor confirmed in the
        last 15 minutes; never a token): a PCC decision is signed, the money committed from the fund (never
        more than it has available) and paid in the instalments given, adding up exactly to the award.
        Answers with the award (201)."""
        application = self.get_object()
        refuse_tokens(request, AWARD)
        data = body_of(AwardMakeSerializer, request)
        data["instalments"] = [(i["due_on"], i["amount"]) for i in data["instalments"]]
        made = run_service(
            services.award_make,
            step_up_what=AWARD,
            application=application,
            by=request.user,
            confirmed_at=step_up_time(request),
            **data,
        )
        award = with_actions(selectors.award_get(user=request.user, pk=made.pk), AWARD_FLOW, request.user)
        return Response(
            AwardDetailSerializer(award, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=GrantReasonsSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="decline", url_name="decline")
    def decline(self, request, pk=None, format=None):
        """Decline a submitted application, with reasons the applicant is told (the Commissioner; a second
        factor confirmed in the last 15 minutes; never a token)."""
        application = self.get_object()
        refuse_tokens(request, AWARD)
        data = body_of(GrantReasonsSerializer, request)
        run_service(
            services.application_decline,
            step_up_what=AWARD,
            application=application,
            by=request.user,
            reasons=data["reasons"],
            confirmed_at=step_up_time(request),
        )
        return self._answer(application.pk)


# --- Awards --------------------------------------------------------------------------------------------------
class AwardViewSet(Rows):
    """Grants awarded, with their instalments and spend returns: a grantee's own (its officers and signatories),
    the published ones for board members, every one for the PCC office. Cancelled awards are listed only with
    ?status=cancelled. Filter with ?fund=, ?status= and ?organisation=. The PCC office records payments; the
    grantee submits each quarter's spend return; the Commissioner cancels (step-up: never a token)."""

    serializer_class = AwardSerializer
    detail_serializer_class = AwardDetailSerializer
    filterset_class = AwardFilter
    queryset = Award.objects.none()

    def get_queryset(self):
        return (
            selectors.awards_visible_to(user=self.request.user, cancelled=True)
            .select_related("organisation__partner")
            .prefetch_related("instalments", "spend_returns")
        )

    def row_get(self, pk: int) -> Award:
        return with_actions(selectors.award_get(user=self.request.user, pk=pk), AWARD_FLOW, self.request.user)

    @extend_schema(request=GrantReasonsSerializer, responses=AwardDetailSerializer)
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request, pk=None, format=None):
        """Cancel an award not yet paid in full, with reasons the grantee is told (the Commissioner; a second
        factor confirmed in the last 15 minutes; never a token): what was not paid goes back to the fund."""
        award = self.get_object()
        refuse_tokens(request, AWARD)
        data = body_of(GrantReasonsSerializer, request)
        run_service(
            services.award_cancel,
            step_up_what=AWARD,
            award=award,
            by=request.user,
            reasons=data["reasons"],
            confirmed_at=step_up_time(request),
        )
        return self._answer(award.pk)

    @extend_schema(parameters=[INSTALMENT], request=InstalmentPaySerializer, responses=AwardDetailSerializer)
    @action(
        detail=True, methods=["post"], url_path=r"instalments/(?P<instalment_id>[^/]+)/pay", url_name="instalment-pay"
    )
    def pay(self, request, pk=None, instalment_id=None, format=None):
        """Record an instalment paid, whole or in part (the PCC office): the award and its fund record it, and
        the award is completed with its last instalment."""
        award = self.get_object()
        instalment = award.instalments.filter(pk=number_of(instalment_id)).first()
        if instalment is None:
            raise Http404
        data = body_of(InstalmentPaySerializer, request)
        run_service(
            services.instalment_pay,
            instalment=instalment,
            by=request.user,
            paid_on=data["paid_on"] or timezone.localdate(),
            paid_amount=data["paid_amount"],
        )
        return self._answer(award.pk)

    @extend_schema(parameters=[RETURN], request=SpendReturnSubmitSerializer, responses=AwardDetailSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"spend-returns/(?P<return_id>[^/]+)/submit",
        url_name="spend-return-submit",
    )
    def spend_return(self, request, pk=None, return_id=None, format=None):
        """Submit a quarter's spend and outcomes once the quarter has ended (the grantee's officers and
        signatories)."""
        award = self.get_object()
        spend_return = award.spend_returns.filter(pk=number_of(return_id)).first()
        if spend_return is None:
            raise Http404
        data = body_of(SpendReturnSubmitSerializer, request)
        run_service(services.spend_return_submit, spend_return=spend_return, by=request.user, **data)
        return self._answer(award.pk)


def register(router) -> None:
    """Add the devolved funds to the API router (/api/v1/...)."""
    router.register("funds", FundViewSet, basename="fund")
    router.register("rounds", RoundViewSet, basename="round")
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("awards", AwardViewSet, basename="award")
