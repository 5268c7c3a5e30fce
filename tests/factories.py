"""factory_boy factories. Partners and memberships go through the services (groups, grants, audit)."""
from __future__ import annotations

import itertools

import factory
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Area, Partner, Role
from partners.services import membership_add, partner_create

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_device(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="Test app", confirmed=True)
        if create:
            self.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"E0900{n:04d}")
    name = factory.Sequence(lambda n: f"Area {n}")
    kind = Area.Kind.LOCAL_AUTHORITY


def make_partner(slug: str | None = None, kind: str = Partner.Kind.OTHER, name: str | None = None, areas=None) -> Partner:
    n = next(_seq)
    slug = slug or f"partner-{n}"
    return partner_create(name=name or f"Partner {slug}", short_name=(name or slug)[:20], slug=slug, kind=kind,
                          areas=areas or [])


def make_person(partner: Partner, role: str = Role.OFFICER, username: str | None = None, **user_kwargs):
    user = UserFactory(username=username or f"{partner.slug}.{role}.{next(_seq)}", **user_kwargs)
    membership_add(user=user, partner=partner, role=role)
    return user
