"""Partners of the Local Criminal Justice Board, the areas they serve and their people."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase


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


class Role(models.TextChoices):
    OFFICER = "officer", "Partner officer"
    SIGNATORY = "signatory", "Partner signatory"
    BOARD_MEMBER = "board_member", "Board member"
    PCC_OFFICER = "pcc_officer", "PCC officer"
    PCC = "pcc", "Police and Crime Commissioner"


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
