"""The stored state: the singleton config, bypass links and the change history."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel

from maintenance_panel import validators
from maintenance_panel.windows import representable, window_open

#: Fields whose before -> after values the history records.
TRACKED_FIELDS: tuple[str, ...] = (
    "enabled",
    "title",
    "message",
    "starts_at",
    "ends_at",
    "ignore_admin_site",
    "ignore_staff",
    "ignore_superuser",
    "ignore_authenticated_user",
    "ignore_anonymous_user",
    "ignore_ip_addresses",
    "ignore_urls",
    "read_only",
    "scope_urls",
)
TRACKED_M2M: tuple[str, ...] = ("ignore_groups", "ignore_users")


def acting_user(verbose_name: Any, **options: Any) -> Any:
    """A reference to whoever acted; kept as None when that user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class MaintenanceConfig(SingletonModel):
    """The one row that says whether the site is under maintenance, and for whom not."""

    enabled = models.BooleanField(
        _("maintenance mode on"),
        default=False,
        help_text=_(
            "While on (and inside the window, if one is set) visitors get the maintenance page."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Heading of the maintenance page. Plain text."),
    )
    message = models.TextField(
        _("message"),
        blank=True,
        help_text=_("What visitors read. Plain text; line breaks are kept."),
    )
    starts_at = models.DateTimeField(
        _("starts at"),
        null=True,
        blank=True,
        help_text=_("Optional. Maintenance begins at this time; empty means at once."),
    )
    ends_at = models.DateTimeField(
        _("ends at"),
        null=True,
        blank=True,
        help_text=_("Optional. The site comes back by itself at this time."),
    )
    ignore_admin_site = models.BooleanField(
        _("admin site stays usable"),
        default=True,
        help_text=_("The Django admin works as usual during maintenance."),
    )
    ignore_staff = models.BooleanField(_("staff users see the site"), default=False)
    ignore_superuser = models.BooleanField(_("superusers see the site"), default=False)
    ignore_authenticated_user = models.BooleanField(
        _("every logged-in user sees the site"), default=False
    )
    ignore_anonymous_user = models.BooleanField(_("anonymous visitors see the site"), default=False)
    ignore_groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups that see the site"),
        blank=True,
        related_name="+",
        help_text=_("Members of these groups use the site as usual."),
    )
    ignore_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("users who see the site"),
        blank=True,
        related_name="+",
    )
    ignore_ip_addresses = models.TextField(
        _("IP addresses and networks"),
        blank=True,
        validators=[validators.validate_ip_lines],
        help_text=_(
            "One IP address or CIDR network per line, IPv4 or IPv6, e.g. 203.0.113.7 or 10.0.0.0/8."
        ),
    )
    ignore_urls = models.TextField(
        _("URL patterns"),
        blank=True,
        validators=[validators.validate_regex_lines],
        help_text=_(
            "One regular expression per line, matched against the start of "
            "the path, e.g. ^/healthz$."
        ),
    )
    read_only = models.BooleanField(
        _("read-only"),
        default=False,
        help_text=_(
            "Visitors can still read the site; only changes (forms, posts, anything that "
            "writes to the database) get the maintenance page."
        ),
    )
    scope_urls = models.TextField(
        _("only these URLs"),
        blank=True,
        validators=[validators.validate_regex_lines],
        help_text=_(
            "Optional. One regular expression per line, matched against the start of the "
            "path, e.g. ^/checkout/. Only matching pages are under maintenance; empty means "
            "the whole site."
        ),
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True, editable=False)
    changed_by = acting_user(_("changed by"), editable=False)
    changed_via = models.CharField(_("changed via"), max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    #: Tracked values as read from the database, to tell what a save changes.
    _loaded: dict[str, Any]
    #: Set by an editor (the admin form) to the version it started from: saving then
    #: raises ``changes.ConflictError`` if someone else saved in between.
    expected_version: int | None = None
    #: Every save goes through this: ``write_path(instance, base_save, *args, **kwargs)``.
    #: ``maintenance_panel.changes`` installs the app's write path (history, version,
    #: publication after commit) when the app is ready, so that admin, command and API
    #: share it; a model never reaches up into that layer itself.
    write_path: ClassVar[Callable[..., None]] = staticmethod(
        lambda instance, base_save, *args, **kwargs: base_save(*args, **kwargs)
    )

    class Meta:
        verbose_name = _("maintenance mode")
        verbose_name_plural = _("maintenance mode")

    def __str__(self) -> str:
        return str(_("Maintenance mode"))

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> MaintenanceConfig:
        instance = super().from_db(*args, **kwargs)
        instance._loaded = {
            name: getattr(instance, name) for name in TRACKED_FIELDS if name in instance.__dict__
        }
        return instance

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        for name in ("title", "message"):
            if "\x00" in (getattr(self, name) or ""):
                # PostgreSQL cannot store it; the admin's form refuses it earlier.
                errors[name] = ValidationError(
                    _("Null characters are not allowed."), code="null_characters_not_allowed"
                )
        for name in ("starts_at", "ends_at"):
            moment = getattr(self, name)
            if moment is not None and not representable(moment):
                errors[name] = ValidationError(
                    _("This time is out of range: pick one between the years 1 and 9999."),
                    code="out_of_range",
                )
        if errors:
            raise ValidationError(errors)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {
                    "ends_at": ValidationError(
                        _("The end must be after the start."), code="end_before_start"
                    )
                }
            )

    def stored_active(self, now: Any = None) -> bool:
        """Whether the switch and the window hold the site now (settings not considered)."""
        return window_open(self.enabled, self.starts_at, self.ends_at, now)

    def changes_since_load(self) -> dict[str, list[Any]]:
        """Tracked fields changed since this instance was read: {field: [before, after]}."""
        loaded: dict[str, Any] = getattr(self, "_loaded", {})
        changes = {}
        for name in TRACKED_FIELDS:
            before = loaded.get(name, field_default(name))
            after = getattr(self, name)
            if before != after:
                changes[name] = [before, after]
        return changes

    def save(self, *args: Any, **kwargs: Any) -> None:
        type(self).write_path(self, super().save, *args, **kwargs)


def field_default(name: str) -> Any:
    """The default of tracked field ``name`` (what an unsaved config holds)."""
    field = MaintenanceConfig._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


def hash_token(token: str) -> str:
    """The stored form of a bypass secret."""
    return hashlib.sha256(token.encode()).hexdigest()


class BypassLinkQuerySet(models.QuerySet["BypassLink"]):
    def usable(self) -> BypassLinkQuerySet:
        """Links neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class BypassLink(models.Model):
    """A secret link that lets whoever opens it use the site during maintenance.

    Only a hash of the secret is stored; the secret itself is shown once, when the
    link is made.
    """

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Who or what the link is for, e.g. “QA team”."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = acting_user(_("created by"), editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects: ClassVar[BypassLinkQuerySet] = BypassLinkQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("bypass link")
        verbose_name_plural = _("bypass links")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class MaintenanceChange(models.Model):
    """One change to maintenance mode, from any source: who, when, what (before -> after)."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("admin")
        COMMAND = "command", _("command line")
        API = "api", _("Python API")
        CODE = "code", _("code")

    changed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = acting_user(_("user"))
    actor = models.CharField(_("who"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    changes = models.JSONField(_("what changed"), default=dict)

    class Meta:
        verbose_name = _("maintenance mode change")
        verbose_name_plural = _("maintenance mode changes")
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M:%S} {self.actor}: {', '.join(self.changes)}"
