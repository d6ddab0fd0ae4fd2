"""Signals sent by maintenance_panel."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent after the transaction commits, once per saved change that switches maintenance
#: on or off: the switch flipped, or a window edited so that maintenance starts or ends
#: now; and, while maintenance is on, a change of its level (read-only or full) or its
#: scope. Never on a rollback, nor for changes of the text or the exemptions alone.
#:
#: Keyword arguments: ``old`` and ``new`` (bool: was / is maintenance active, per the
#: switch and window; both False when the switch is turned on for a window that has
#: not started yet), ``enabled`` (the switch now), ``read_only`` (the level now:
#: True for read-only, settings included), ``scope`` (the patterns of the URLs under
#: maintenance, settings' first; empty for the whole site), ``source`` ("admin", "command",
#: "api" or "code"), ``actor`` (who, as text), ``user`` (or None) and ``config`` (the
#: saved ``MaintenanceConfig``).
#:
#: A window that opens or closes as time passes is evaluated per request; nothing is
#: written then, so nothing is sent. ``MAINTENANCE_MODE`` in settings is not a change
#: either.
maintenance_mode_changed = Signal()

#: Sent after the transaction commits, once per save of the config that changed a field
#: the history records, from any source (the admin, the command, the Python API, code);
#: never on a rollback. The notifications' switch events are made from it
#: (:mod:`maintenance_panel.notifications.switches`).
#:
#: Keyword arguments: ``changes`` ({field: [before, after]}), ``old`` and ``new`` (was /
#: is maintenance active, per the switch and window), ``source``, ``actor`` (who, as
#: text: the history's "who"), ``user`` (or None) and ``config`` (the saved
#: ``MaintenanceConfig``, its ``version`` and ``changed_at`` included).
maintenance_config_saved = Signal()
