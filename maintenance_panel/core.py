"""The Python API: read and change maintenance mode from code and tests.

Every change goes through the same path as the admin: the same validation, the
history, the ``maintenance_mode_changed`` signal and the cache refresh.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance_panel import changes, conf, state

__all__ = [
    "create_bypass_link",
    "get_maintenance_mode",
    "maintenance_mode_off",
    "maintenance_mode_on",
    "override_maintenance_mode",
    "revoke_bypass_link",
    "set_maintenance_mode",
]


def get_maintenance_mode() -> bool:
    """Whether the site is under maintenance now (settings, switch and window)."""
    return state.is_active()


def set_maintenance_mode(
    value: bool,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    title: str | None = None,
    message: str | None = None,
    user: Any = None,
    source: str = "api",
    label: str = "",
) -> None:
    """Turn maintenance mode on or off, optionally for a window and with a new text.

    Raises ``ImproperlyConfigured`` when ``MAINTENANCE_MODE`` fixes the state, and
    ``ValidationError`` for a window that ends before it starts or, when switching
    on, has already ended.
    """
    from maintenance_panel.models import MaintenanceConfig

    if conf.forced_state() is not None:
        raise ImproperlyConfigured(
            _("Maintenance mode is fixed by the MAINTENANCE_MODE setting (%(value)s); "
              "remove that setting to change it here.")
            % {"value": conf.forced_state()}
        )
    for name, moment in (("start", start), ("end", end)):
        if moment is not None and timezone.is_naive(moment):
            raise ValidationError(
                _("%(name)s must be an aware datetime."), params={"name": name}, code="naive"
            )
    if value and end is not None and end <= timezone.now():
        raise ValidationError(
            {"ends_at": _("The end of the window is in the past.")}, code="end_in_past"
        )
    with transaction.atomic(), changes.recording(source=source, user=user, label=label):
        config = MaintenanceConfig.objects.select_for_update().filter(
            pk=MaintenanceConfig.singleton_instance_id
        ).first() or MaintenanceConfig()
        config.enabled = bool(value)
        if value or start is not None or end is not None:
            config.starts_at = start
            config.ends_at = end
        if title is not None:
            config.title = title
        if message is not None:
            config.message = message
        config.full_clean(exclude=["ignore_groups", "ignore_users"])
        config.save()


class override_maintenance_mode(override_settings):  # noqa: N801 - reads like a decorator
    """Force maintenance mode on or off in a test: a context manager or a decorator
    (sync and async functions, test classes)."""

    def __init__(self, value: bool) -> None:
        super().__init__(MAINTENANCE_MODE=bool(value))


def maintenance_mode_on() -> override_maintenance_mode:
    """``override_maintenance_mode(True)``."""
    return override_maintenance_mode(True)


def maintenance_mode_off() -> override_maintenance_mode:
    """``override_maintenance_mode(False)``."""
    return override_maintenance_mode(False)


def create_bypass_link(
    name: str, *, expires_at: datetime | None = None, user: Any = None, source: str = "api"
) -> str:
    """Make a bypass link and return its path; the secret appears only in that path."""
    from maintenance_panel.models import BypassLink, hash_token

    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry is in the past.")}, code="expired")
    token = secrets.token_urlsafe(32)
    with transaction.atomic(), changes.recording(source=source, user=user):
        link = BypassLink(name=name, expires_at=expires_at, created_by=user)
        link.token_hash = hash_token(token)
        link.full_clean(exclude=["token_hash"])
        link.save()
    return reverse("maintenance_panel:bypass", kwargs={"token": token})


def revoke_bypass_link(name: str, *, user: Any = None, source: str = "api") -> None:
    """End bypass link ``name`` and every cookie made from it."""
    from maintenance_panel.models import BypassLink

    with transaction.atomic(), changes.recording(source=source, user=user):
        link = BypassLink.objects.select_for_update().filter(name=name).first()
        if link is None:
            raise ValidationError(
                _("There is no bypass link named “%(name)s”."), params={"name": name},
                code="unknown",
            )
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
