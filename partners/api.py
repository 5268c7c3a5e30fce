"""Partners and data-sharing agreements API, through the same selectors and services as the pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import permissions
from portal.api_actions import refuse_tokens, run_service, step_up_time
from portal.api_base import MULTI_LINE, JSONTypesMixin, StrictQueryParamsMixin

from . import limits, rules, services
from .filters import AgreementFilter, PartnerFilter
from .models import DataSharingAgreement, DsaSignature, Membership, Partner
from .selectors import dsa_get, dsa_list_visible_to, memberships_of, partner_list_visible_to, with_coverage
from .sharing import coverage


class PartnerSerializer(serializers.ModelSerializer):
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    website = serializers.URLField(read_only=True, allow_blank=True, help_text='The website, or "" when it has none')

    class Meta:
        model = Partner
        fields = ["slug", "name", "short_name", "kind", "kind_label", "about", "website", "areas", "active"]
        read_only_fields = fields


class PartnerViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Board partners. Filter with ?kind= and ?search=."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    lookup_field = "slug"

    def get_queryset(self):
        return partner_list_visible_to(user=self.request.user)

    def get_object(self):
        return permissions.get_visible_or_404(
            self.request.user, rules.PARTNER_VIEW, self.get_queryset(), slug=self.kwargs["slug"]
        )


# --- Data-sharing agreements --------------------------------------------------------------------
class DsaSignatureSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DsaSignature
        fields = ["partner", "signer_label", "signed_at"]
        read_only_fields = fields


class DataSharingAgreementSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    recipients = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    indicators = serializers.SerializerMethodField(help_text="Codes of the indicators it covers")
    lawful_basis_label = serializers.CharField(source="get_lawful_basis_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(
        source="status_words", read_only=True, help_text="The status in words, e.g. 'Signed — starts 14 December 2026'"
    )
    signatures = DsaSignatureSerializer(many=True, read_only=True)

    class Meta:
        model = DataSharingAgreement
        fields = [
            "id",
            "reference",
            "title",
            "provider",
            "recipients",
            "purpose",
            "lawful_basis",
            "lawful_basis_label",
            "special_category_data",
            "criminal_offence_data",
            "indicators",
            "level",
            "level_label",
            "retention",
            "security_measures",
            "contacts",
            "start_date",
            "end_date",
            "review_date",
            "status",
            "status_label",
            "status_reason",
            "signatures",
            "created_at",
            "sent_at",
            "activated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_indicators(self, obj) -> list[str]:
        covered = getattr(obj, "covered", None)
        if covered is None:
            covered = coverage().of([obj.pk])[obj.pk]
        return [c.code for c in covered]


class DataSharingAgreementDraftSerializer(JSONTypesMixin, serializers.Serializer):
    """A new draft: the same terms as the page. Status fields are set by the services only."""

    provider = serializers.SlugField(required=False, help_text="Only when you act for more than one partner")
    title = serializers.CharField(max_length=limits.AGREEMENT_TITLE)
    purpose = serializers.CharField(max_length=limits.PURPOSE, style=MULTI_LINE)
    lawful_basis = serializers.ChoiceField(choices=DataSharingAgreement.LawfulBasis.choices)
    special_category_data = serializers.BooleanField(default=False)
    criminal_offence_data = serializers.BooleanField(default=False)
    recipients = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Partner.objects.filter(active=True)
    )
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False, help_text="Indicator codes the provider provides"
    )
    level = serializers.ChoiceField(choices=DataSharingAgreement.Level.choices)
    retention = serializers.CharField(max_length=limits.RETENTION, style=MULTI_LINE)
    security_measures = serializers.CharField(max_length=limits.SECURITY_MEASURES, style=MULTI_LINE)
    contacts = serializers.CharField(max_length=limits.CONTACTS, style=MULTI_LINE)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    review_date = serializers.DateField()


class ReasonSerializer(JSONTypesMixin, serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON, style=MULTI_LINE
    )


class SignSerializer(JSONTypesMixin, serializers.Serializer):
    partner = serializers.SlugField(required=False, help_text="Only when you sign for more than one party")


AGREEMENT_STEP_UP = "sign, suspend, resume or revoke agreements"


def _refuse_tokens(request) -> None:
    refuse_tokens(request, AGREEMENT_STEP_UP)


def _run(service, **kwargs):
    return run_service(service, step_up_what=AGREEMENT_STEP_UP, **kwargs)


class DataSharingAgreementViewSet(
    StrictQueryParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data-sharing agreements you are a party to (all of them for the PCC office).

    POST creates a draft; send, sign, suspend, resume and revoke go through the same services as the
    pages. Signing, suspending, resuming and revoking need a recent second factor, so API tokens are
    refused (403).
    """

    serializer_class = DataSharingAgreementSerializer
    filterset_class = AgreementFilter
    queryset = DataSharingAgreement.objects.none()  # for the schema; rows come from the selectors

    def get_queryset(self):
        return dsa_list_visible_to(user=self.request.user).prefetch_related("signatures__partner")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return with_coverage(page) if page is not None else None

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404
        return dsa_get(user=self.request.user, pk=pk)

    def _fresh(self, agreement):
        return Response(self.get_serializer(dsa_get(user=self.request.user, pk=agreement.pk)).data)

    @extend_schema(request=DataSharingAgreementDraftSerializer, responses={201: DataSharingAgreementSerializer})
    def create(self, request, *args, **kwargs):
        incoming = DataSharingAgreementDraftSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        ids = permissions.acting_partner_ids(request.user, rules.DSA_DRAFT)
        if not ids:
            raise PermissionDenied("You cannot draft agreements for any partner.")
        slug = data.pop("provider", None)
        if slug:
            provider = Partner.objects.filter(slug=slug, pk__in=ids).first()
            if provider is None:
                raise PermissionDenied("You cannot draft agreements for that partner.")
        elif len(ids) > 1:
            raise ValidationError({"provider": ["You act for more than one partner: say which one (its slug)."]})
        else:
            provider = Partner.objects.get(pk=ids[0])
        codes = data.pop("indicators")
        indicators = coverage().find(codes=codes)
        unknown = sorted(set(codes) - {i.code for i in indicators})
        if unknown:
            raise ValidationError({"indicators": [f"Unknown indicator codes: {', '.join(unknown)}"]})
        agreement = _run(services.dsa_draft, provider=provider, indicators=indicators, by=request.user, **data)
        response = self._fresh(agreement)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=None, responses={200: DataSharingAgreementSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None, format=None):
        """Send a draft for signatures (the provider's officers)."""
        agreement = self.get_object()
        _run(permissions.check, user=request.user, action=rules.DSA_DRAFT, obj=agreement.provider)
        return self._fresh(_run(services.dsa_send, agreement=agreement, by=request.user))

    @extend_schema(request=SignSerializer, responses={200: DataSharingAgreementSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None, format=None):
        """Sign for your partner (signatories, in a session with a recent second factor; never a token)."""
        agreement = self.get_object()
        _refuse_tokens(request)
        _run(permissions.check, user=request.user, action=rules.DSA_SIGN, obj=agreement)
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partner = None
        if body.validated_data.get("partner"):
            partner = Partner.objects.filter(slug=body.validated_data["partner"]).first()
            if partner is None:
                raise ValidationError({"partner": ["No partner has that slug."]})
        _run(
            services.dsa_sign,
            agreement=agreement,
            by=request.user,
            partner=partner,
            confirmed_at=step_up_time(request),
        )
        return self._fresh(agreement)

    def _transition(self, request, service, action=rules.DSA_SUSPEND):
        agreement = self.get_object()
        _refuse_tokens(request)
        _run(permissions.check, user=request.user, action=action, obj=agreement)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._fresh(
            _run(
                service,
                agreement=agreement,
                by=request.user,
                reason=body.validated_data["reason"],
                confirmed_at=step_up_time(request),
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: DataSharingAgreementSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None, format=None):
        """Suspend an active agreement (provider or PCC office; reason required; recent second factor)."""
        return self._transition(request, services.dsa_suspend)

    @extend_schema(request=ReasonSerializer, responses={200: DataSharingAgreementSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None, format=None):
        """Resume a suspended agreement (provider or PCC office; recent second factor)."""
        return self._transition(request, services.dsa_resume)

    @extend_schema(request=ReasonSerializer, responses={200: DataSharingAgreementSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None, format=None):
        """Revoke an agreement for good (the provider's signatory or the Commissioner; reason required; recent
        second factor). Officers may suspend but not revoke."""
        return self._transition(request, services.dsa_revoke, rules.DSA_REVOKE)


# --- Who the caller is -----------------------------------------------------------------------
class MembershipSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["partner", "partner_name", "role", "job_title", "active_from", "active_to", "active"]
        read_only_fields = fields

    def get_active(self, obj) -> bool:
        return obj.is_active()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True, help_text="Blank for a partner system's token")
    memberships = MembershipSerializer(many=True)


class MeView(StrictQueryParamsMixin, APIView):
    """Who the caller is and the roles they hold."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "email": user.email,
            "memberships": MembershipSerializer(memberships_of(user=user), many=True).data,
        }
        return Response(data)
