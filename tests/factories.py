"""factory-boy factories for the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("secret-password")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[Group] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(*extracted)


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group{n}")


def grant(user: object, *codenames: str) -> None:
    """Give ``user`` the maintenance_panel permissions named."""
    user.user_permissions.add(  # type: ignore[attr-defined]
        *Permission.objects.filter(
            content_type__app_label="maintenance_panel", codename__in=codenames
        )
    )


class OperatorFactory(StaffFactory):
    """A staff user who may view and change maintenance mode (and nothing else)."""

    @factory.post_generation
    def maintenance_permissions(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            grant(
                self, "view_maintenanceconfig", "change_maintenanceconfig", "view_maintenancechange"
            )


class ViewerFactory(StaffFactory):
    """A staff user who may only look at maintenance mode."""

    @factory.post_generation
    def maintenance_permissions(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            grant(self, "view_maintenanceconfig")


class BypassLinkFactory(factory.django.DjangoModelFactory):
    """A stored bypass link (its secret is not kept: use core.create_bypass_link for one
    that a browser can open). ``revoked=True`` makes an ended one."""

    class Meta:
        model = "maintenance_panel.BypassLink"

    class Params:
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))

    name = factory.Sequence(lambda n: f"link {n}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
