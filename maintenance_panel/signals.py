"""Signals sent by maintenance_panel."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent once per effective change of maintenance mode, after the transaction commits.
#: Keyword arguments: ``old`` and ``new`` (bool: was / is maintenance active, per the
#: switch and window), ``enabled`` (the switch now), ``source`` ("admin", "command",
#: "api" or "code"), ``actor`` (who, as text), ``user`` (or None) and ``config``.
maintenance_mode_changed = Signal()
