"""Maintenance windows: where a moment stands against ``starts_at`` / ``ends_at``.

Pure helpers with no state of their own: the snapshot, the model, the write path, the
panel, the status endpoint and the command all ask the same questions here.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

#: ``window_phase`` values in which a switched-on site is under maintenance.
OPEN_PHASES = frozenset({"none", "open"})


def window_phase(starts_at: Any, ends_at: Any, now: Any = None) -> str:
    """Where ``now`` stands against a window: "none" (no window), "scheduled",
    "open" or "ended"."""
    if starts_at is None and ends_at is None:
        return "none"
    now = now or timezone.now()
    if starts_at is not None and now < starts_at:
        return "scheduled"
    if ends_at is not None and ends_at <= now:
        return "ended"
    return "open"


def window_open(enabled: bool, starts_at: Any, ends_at: Any, now: Any = None) -> bool:
    """Whether a switch in state ``enabled`` with this window holds the site now."""
    return bool(enabled) and window_phase(starts_at, ends_at, now) in OPEN_PHASES
