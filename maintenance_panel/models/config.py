"""The singleton config: whether the site is under maintenance, and for whom not.

Every save, from the admin, the command, the Python API or a project's own code, goes
through :meth:`MaintenanceConfig.save`, which reads from top to bottom:

1. lock the stored row, so that what the save replaces ("before") is read under the
   same lock as the write, and refuse the save with :class:`ConflictError` when an
   editor (the admin form) started from a version that someone else has replaced
   meanwhile;
2. stamp it: the version, and who changed it when (the actor of
   :func:`~maintenance_panel.models.history.recording`);
3. record what changed in the history (:func:`~maintenance_panel.models.history.record`);
4. once the transaction commits, send ``maintenance_config_saved`` with what changed,
   and ``maintenance_mode_changed`` when the change switches maintenance on or off, or
   changes its level or scope while it is on.

This process and every other one learn of the new state through Django's ``post_save``
signal, which :mod:`maintenance_panel.state` receives. The lists of groups and users
change without a save: :mod:`maintenance_panel.models.lists` records those changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel

from maintenance_panel import conf, recurrence, setting_lists, validators
from maintenance_panel.matching import split_lines
from maintenance_panel.models import history
from maintenance_panel.signals import maintenance_config_saved, maintenance_mode_changed
from maintenance_panel.windows import representable

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
    "ignore_tasks",
    "recurrence",
    "recurrence_duration",
    "announce_before",
)
TRACKED_M2M: tuple[str, ...] = ("ignore_groups", "ignore_users", "notify_groups")


#: Fields every save writes, also when the caller names ``update_fields``.
BOOKKEEPING_FIELDS = ("version", "changed_at", "changed_by", "changed_via", "switched_on_at")
#: Fields that say what visitors get while maintenance is on: the level and the scope.
LEVEL_FIELDS = frozenset({"read_only", "scope_urls"})


class ConflictError(Exception):
    """The config was changed by someone else since it was read."""

    def __init__(self, current: MaintenanceConfig) -> None:
        super().__init__(_("Maintenance mode was changed by someone else meanwhile."))
        self.current = current


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
    ignore_tasks = models.TextField(
        _("background work that keeps running"),
        blank=True,
        validators=[validators.validate_task_patterns],
        help_text=_(
            "One regular expression per line, matched against the start of the name of a "
            "task or management command, e.g. ^clearsessions$. Other background work is "
            "held while the whole site is under full maintenance."
        ),
    )
    recurrence = models.CharField(
        _("repeats"),
        max_length=500,
        blank=True,
        help_text=_(
            "Optional. A recurrence rule (RFC 5545 RRULE), e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;"
            "BYMINUTE=0 for every Sunday at 02:00, in the site's maintenance time zone."
        ),
    )
    recurrence_duration = models.DurationField(
        _("each time for"),
        null=True,
        blank=True,
        help_text=_("How long each repeated window lasts, e.g. 1:00:00 for one hour."),
    )
    announce_before = models.DurationField(
        _("announce before"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. For this long before a window opens, visitors see a banner saying "
            "when it starts and ends. Empty means the site's default."
        ),
    )
    notify_groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups to notify"),
        blank=True,
        related_name="+",
        help_text=_("Members of these groups get an e-mail when maintenance starts or ends."),
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True, editable=False)
    changed_by = history.acting_user(_("changed by"), editable=False)
    changed_via = models.CharField(_("changed via"), max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    #: When the switch was last turned on (None while off): "on for", ``still_on``.
    switched_on_at = models.DateTimeField(_("switched on at"), null=True, editable=False)

    #: Set by an editor (the admin form) to the version it started from: saving then
    #: raises :class:`ConflictError` if someone else saved in between.
    expected_version: int | None = None

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("maintenance mode")
        verbose_name_plural = _("maintenance mode")

    def __str__(self) -> str:
        return str(_("Maintenance mode"))

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
        self.recurrence, schedule_errors = validators.schedule_errors(
            self.recurrence, self.recurrence_duration, self.announce_before, conf.time_zone()
        )
        errors |= schedule_errors
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
        """Whether the switch and the windows hold the site now (settings not considered)."""
        return recurrence.values_active(_tracked_values(self), conf.time_zone(), now)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save through the write path (see the module docstring, steps 1 to 4)."""
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            current = self._lock_current(using)
            before = _tracked_values(current)
            names = kwargs.get("update_fields") or TRACKED_FIELDS
            changes = {
                name: [before[name], getattr(self, name)]
                for name in TRACKED_FIELDS
                if name in names and before[name] != getattr(self, name)
            }
            self._stamp(history.current_actor(), kwargs, current)
            super().save(*args, **kwargs)
            self.expected_version = None
            actor = history.record(changes)
            if changes:
                _announce_after_commit(self, before, changes, actor, using)

    def _lock_current(self, using: str) -> MaintenanceConfig | None:
        """Step 1: the stored row, locked until the transaction ends, so that "before"
        is what this save replaces; :class:`ConflictError` when an editor started from
        another version."""
        current = (
            type(self)
            .objects.using(using)
            .select_for_update()
            .filter(pk=self.singleton_instance_id)
            .first()
        )
        expected = self.expected_version
        if current is not None and expected is not None and current.version != expected:
            raise ConflictError(current)
        return current

    def _stamp(self, actor: history.Actor, save_options: dict[str, Any], current: Any) -> None:
        self.version = (current.version if current is not None else self.version) + 1
        self.changed_at = timezone.now()
        self.changed_by = history.stored_user(actor.user)
        self.changed_via = actor.describe()
        self.switched_on_at = history.switched_on_at(self, current, save_options)
        if save_options.get("update_fields") is not None:
            save_options["update_fields"] = {*save_options["update_fields"], *BOOKKEEPING_FIELDS}


def _tracked_values(config: MaintenanceConfig | None) -> dict[str, Any]:
    """The tracked fields of ``config`` (the defaults for no config)."""
    if config is None:
        return {name: field_default(name) for name in TRACKED_FIELDS}
    return {name: getattr(config, name) for name in TRACKED_FIELDS}


def field_default(name: str) -> Any:
    """The default of tracked field ``name`` (what an unsaved config holds)."""
    field = MaintenanceConfig._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


def _announce_after_commit(
    config: MaintenanceConfig,
    before: dict[str, Any],
    changes: dict[str, list[Any]],
    actor: history.Actor,
    using: str,
) -> None:
    """Step 4: once the transaction commits, send ``maintenance_config_saved``, and
    ``maintenance_mode_changed`` when the change switches maintenance on or off, or,
    while it is on, changes its level or scope (which changes what visitors get)."""
    now = timezone.now()
    old = recurrence.values_active(before, conf.time_zone(), now)
    new = recurrence.values_active(_tracked_values(config), conf.time_zone(), now)
    switched = old != new or "enabled" in changes or (new and LEVEL_FIELDS & set(changes))
    who = {"source": actor.source, "actor": actor.describe(), "user": actor.user}

    def send() -> None:
        if switched:
            maintenance_mode_changed.send(
                sender=type(config),
                old=old,
                new=new,
                enabled=config.enabled,
                read_only=conf.read_only_value(config.read_only),
                scope=[*setting_lists.scope_url_entries(), *split_lines(config.scope_urls)],
                config=config,
                **who,
            )
        maintenance_config_saved.send(
            sender=type(config), changes=changes, old=old, new=new, config=config, **who
        )

    transaction.on_commit(send, using=using)
