"""The switch events: ``switched_on``, ``switched_off`` and ``changed``, from every save.

:func:`_on_config_saved`, a receiver of
:data:`~maintenance_panel.signals.maintenance_config_saved` (connected when
``AppConfig.ready`` imports this module), runs after the commit of every save of the
config, whoever made it (the admin, the command, the Python API, code), and stores its
event with :func:`~maintenance_panel.notifications.events.store` under a key made of the
config's version and the time of the change, so that it is stored once. The event
names who made the change as the history does ("alice", "command line (deploy)", "API
token deploy"). Storing never breaks the change: a database error is logged.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import timezone

from maintenance_panel.loading import CONFIG_FIELDS
from maintenance_panel.models import MaintenanceConfig, Notification
from maintenance_panel.notifications import events
from maintenance_panel.signals import maintenance_config_saved
from maintenance_panel.snapshot import Snapshot

logger = logging.getLogger("maintenance_panel")

#: Fields whose change while the switch is on is a ``changed`` event: the level, the
#: scope, the window (one-off or repeated) and the text.
CHANGED_FIELDS = frozenset(
    {
        "read_only",
        "scope_urls",
        "starts_at",
        "ends_at",
        "recurrence",
        "recurrence_duration",
        "title",
        "message",
    }
)


def switch_event(changes: dict[str, Any], enabled: bool) -> str | None:
    """The event of a change: ``switched_on`` / ``switched_off`` when the switch moved,
    ``changed`` when the level, scope, window or text changed while it is on, else
    None."""
    if "enabled" in changes:
        return "switched_on" if enabled else "switched_off"
    if enabled and CHANGED_FIELDS & set(changes):
        return "changed"
    return None


def switch_key(config: MaintenanceConfig) -> str:
    """Names the saved change of ``config`` the same way in every process."""
    changed_at = config.changed_at or timezone.now()
    return f"config:{config.version}:{changed_at.astimezone(UTC).isoformat()}"


def notify_change(
    config: MaintenanceConfig, changes: dict[str, Any], actor: str
) -> Notification | None:
    """Store the switch event of a saved change (None when it is none, or stored
    already)."""
    event = switch_event(changes, config.enabled)
    if event is None:
        return None
    snapshot = Snapshot.from_data(
        {name: getattr(config, name) for name in CONFIG_FIELDS}, f"saved:{config.version}"
    )
    at = config.changed_at or timezone.now()
    payload = events.build_payload(event, snapshot, at=at, changed_by=actor)
    return events.store(switch_key(config), event, payload)


@receiver(maintenance_config_saved, dispatch_uid="maintenance_panel.notifications.switches")
def _on_config_saved(*, config: Any, changes: dict[str, Any], actor: str, **kwargs: Any) -> None:
    try:
        notify_change(config, changes, actor)
    except DatabaseError:
        logger.exception("maintenance_panel: the notification of a change was not stored")
