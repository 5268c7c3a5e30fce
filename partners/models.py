"""Partners of the Local Criminal Justice Board, the areas they serve and their people."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

from portal.roles import Role  # noqa: F401 (the roles a membership holds; partners.models.Role for callers)


class Area(models.Model):
    class Kind(models.TextChoices):
        FORCE_AREA = "force_area", "Police force area"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    code = models.CharField(max_length=12, unique=True, help_text="ONS area code, for example E08000025")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        PROSECUTION = "prosecution", "Prosecution"
        COURTS = "courts", "Courts"
        PROBATION = "probation", "Probation"
        PRISONS = "prisons", "Prisons"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "Health"
        VICTIM_SERVICES = "victim_services", "Victim services"
        VIOLENCE_REDUCTION = "violence_reduction", "Violence reduction"
        PCC_OFFICE = "pcc_office", "PCC office"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    about = models.TextField(blank=True)
    website = models.URLField(blank=True)
    areas = models.ManyToManyField(Area, related_name="partners", blank=True)
    active = models.BooleanField(default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="partner")

    class Meta:
        ordering = ["name"]
        permissions = [
            ("act_for_partner", "Act for the partner (its own data and returns)"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", kwargs={"slug": self.slug})

    @property
    def is_pcc_office(self) -> bool:
        return self.kind == self.Kind.PCC_OFFICE


class PartnerGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on partners (deleted with the partner)."""

    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(active_from__lte=day), Q(active_to__isnull=True) | Q(active_to__gte=day))


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    active_from = models.DateField(default=timezone.localdate)
    active_to = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "partner", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.partner.short_name}"

    def is_active(self, on=None) -> bool:
        day = on or timezone.localdate()
        return self.active_from <= day and (self.active_to is None or self.active_to >= day)


# --- Data-sharing agreements: the duty to share data, made enforceable --------------------------
class DataSharingAgreement(models.Model):
    """A provider partner's agreement to share named indicators with recipient partners.

    While active, the recipients' Groups hold the object permissions on the covered indicators
    (targets.services.sharing.dsa_sync_grants); every other status gives nothing.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_SIGNATURES = "awaiting", "Awaiting signatures"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"
        REVOKED = "revoked", "Revoked"

    class LawfulBasis(models.TextChoices):
        PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Article 6(1)(e): public task"
        LEGAL_OBLIGATION = "gdpr_6_1_c", "UK GDPR Article 6(1)(c): legal obligation"
        LAW_ENFORCEMENT = "dpa_part_3", "Data Protection Act 2018 Part 3: law enforcement processing"

    class Level(models.TextChoices):
        AGGREGATE = "aggregate", "Aggregate figures only"
        BREAKDOWNS = "breakdowns", "Aggregate figures and breakdowns (age band, sex, ethnicity)"

    # GOV.UK tag colours; the words always carry the meaning too
    STATUS_TAG_COLOURS = {
        Status.DRAFT: "grey",
        Status.AWAITING_SIGNATURES: "blue",
        Status.ACTIVE: "green",
        Status.SUSPENDED: "yellow",
        Status.ENDED: "grey",
        Status.REVOKED: "red",
    }
    LIVE_STATUSES = (Status.AWAITING_SIGNATURES, Status.ACTIVE, Status.SUSPENDED)

    reference = models.CharField(max_length=20, unique=True, help_text="For example DSA-2026-001")
    title = models.CharField(max_length=200)
    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="dsas_provided")
    recipients = models.ManyToManyField(Partner, related_name="dsas_received", blank=True)
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    special_category_data = models.BooleanField(default=False, help_text="UK GDPR Article 9 data is involved")
    criminal_offence_data = models.BooleanField(default=False, help_text="UK GDPR Article 10 data is involved")
    # NOTE: what it covers (indicators) is linked from the app that defines them: targets.AgreementCoverage.
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.AGGREGATE)
    retention = models.TextField(help_text="How long recipients keep the data and how they delete it")
    security_measures = models.TextField()
    contacts = models.TextField(help_text="Who to contact at each partner about the agreement")
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last day the data is shared")
    review_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_reason = models.TextField(blank=True, help_text="Why it was last suspended, resumed, revoked or ended")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it ended or was revoked")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("sign_datasharingagreement", "Sign a data-sharing agreement for a party"),
            ("suspend_datasharingagreement", "Suspend or resume a data-sharing agreement"),
            ("revoke_datasharingagreement", "Revoke a data-sharing agreement for good (a signatory)"),
            ("manage_datasharingagreement", "Manage a data-sharing agreement (its provider)"),
            ("view_all_dsas", "See every data-sharing agreement (PCC office)"),
            ("suspend_any_dsa", "Suspend or resume any data-sharing agreement (PCC office)"),
            ("revoke_any_dsa", "Revoke any data-sharing agreement (the Commissioner)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="dsa_dates_ordered"),
        ]
        indexes = [models.Index(fields=["status", "end_date"], name="dsa_status_end_idx")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("partners:dsa-detail", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        if self.is_signed_not_started:
            return "turquoise"
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    def all_parties_signed(self) -> bool:
        """Every party (the provider and each recipient) has signed. Uses prefetched rows when there."""
        signed = {s.partner_id for s in self.signatures.all()}
        return {self.provider_id, *(p.pk for p in self.recipients.all())} <= signed

    @property
    def is_signed_not_started(self) -> bool:
        """Every party has signed, and it becomes active on its start date, which is still ahead."""
        return (
            self.status == self.Status.AWAITING_SIGNATURES
            and self.start_date > timezone.localdate()
            and self.all_parties_signed()
        )

    @property
    def status_words(self) -> str:
        """The status as people should read it: 'Signed — starts 14 December 2026' rather than
        'Awaiting signatures' once everyone has signed an agreement that has not started yet."""
        if self.is_signed_not_started:
            return f"Signed — starts {self.start_date.day} {self.start_date:%B %Y}"
        return self.get_status_display()

    @property
    def allows_breakdowns(self) -> bool:
        return self.level == self.Level.BREAKDOWNS

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class DataSharingAgreementGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on agreements (deleted with the agreement)."""

    content_object = models.ForeignKey(DataSharingAgreement, on_delete=models.CASCADE)


class DsaSignature(models.Model):
    """One party's signature on an agreement: at most one per partner (a DB constraint)."""

    agreement = models.ForeignKey(DataSharingAgreement, on_delete=models.CASCADE, related_name="signatures")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="dsa_signatures")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_label = models.CharField(max_length=200, help_text="Name and job title at the time, or 'system'")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "partner"], name="dsa_one_signature_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} signed for {self.partner.short_name}"


# --- Partner systems: API tokens ------------------------------------------------------------
def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for a named partner system. Only its hash is stored; the raw token is shown once."""

    PREFIX = "cjp_"

    name = models.CharField(max_length=120, help_text="The partner system, for example 'Police RMS nightly feed'")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(max_length=20, default="officer")
    # NOTE: each token acts through its own service user holding one membership at the
    # partner, so the token reaches exactly what the partner's officers may reach.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token")
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_api_tokens", "Create and revoke partner-system API tokens")]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner.short_name})"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    # DRF's request.auth for a token request: the core asks this, never the class (portal/api_auth.py).
    is_partner_system_token = True

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Active"
