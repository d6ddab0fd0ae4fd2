"""Events: the document a webhook receives, and storing an event once for the fleet.

An event is stored as a :class:`~maintenance_panel.models.Notification` under a *key*
that names it the same way in every process (a switch by the config's version, a window
boundary by the window's times): the key is unique in the database, so the second
process to store the same event stores nothing, and deliveries are made once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction

from maintenance_panel.models import Notification
from maintenance_panel.notifications import delivery
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.windows import Window, one_off


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in UTC (None stays None)."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def site_name() -> str:
    """The site's name in a notification: the current ``Site``'s domain when
    ``django.contrib.sites`` is installed with a ``SITE_ID``, else the first host of
    ``ALLOWED_HOSTS`` that is not a wildcard."""
    if apps.is_installed("django.contrib.sites") and getattr(settings, "SITE_ID", None):
        # Loaded here: the sites framework is optional, and its model exists only
        # once the apps are loaded.
        from django.contrib.sites.models import Site

        return str(Site.objects.get_current().domain)
    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host]
    return hosts[0].lstrip(".") if hosts else ""


def build_payload(
    event: str,
    snapshot: Snapshot,
    *,
    at: datetime,
    changed_by: str,
    window: Window | None = None,
) -> dict[str, Any]:
    """The JSON document of ``event`` for the state in ``snapshot`` at ``at``: ``event``,
    ``at``, ``active``, ``read_only``, ``scope``, ``title``, ``message``, ``starts_at``,
    ``ends_at`` (``window``'s, else the one-off window's), ``changed_by`` and ``site``;
    times as ISO 8601 strings in UTC."""
    window = window or one_off(snapshot.starts_at, snapshot.ends_at)
    return {
        "event": event,
        "at": iso(at),
        "active": snapshot.active(at),
        "read_only": snapshot.level_is_read_only(),
        "scope": snapshot.scope(),
        "title": snapshot.title,
        "message": snapshot.message,
        "starts_at": iso(window.starts_at) if window is not None else None,
        "ends_at": iso(window.ends_at) if window is not None else None,
        "changed_by": changed_by,
        "site": site_name(),
    }


def store(key: str, event: str, payload: dict[str, Any]) -> Notification | None:
    """Store the event under ``key`` with its deliveries, which are sent once the
    transaction commits; None when an event with this key is stored already (another
    process stored it)."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(key=key, event=event, payload=payload)
            delivery.enqueue(notification)
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return None
        raise
    return notification
