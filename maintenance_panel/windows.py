"""Maintenance windows: where a moment stands against ``starts_at`` / ``ends_at``.

Pure helpers with no state of their own: the snapshot, the model, the write path, the
panel, the status endpoint and the command all ask the same questions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

#: ``window_phase`` values in which a switched-on site is under maintenance.
OPEN_PHASES = frozenset({"none", "open"})

#: The earliest and latest moments a window may name: a day inside the calendar's ends,
#: so that they can be shown in every time zone (a local time outside years 1 to 9999
#: cannot be represented, and converting one raises).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def representable(moment: datetime) -> bool:
    """Whether ``moment`` can be stored and shown in any time zone."""
    try:
        if timezone.is_naive(moment):
            return EARLIEST.replace(tzinfo=None) <= moment <= LATEST.replace(tzinfo=None)
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:
        return False


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


@dataclass(frozen=True, slots=True)
class Window:
    """One window of maintenance: the one-off window (``starts_at`` / ``ends_at``, either
    may be open-ended) or one occurrence of a repeated one."""

    starts_at: datetime | None
    ends_at: datetime | None

    def key(self) -> str:
        """Names this window the same way in every process (ISO 8601 in UTC)."""
        return "|".join(
            moment.astimezone(UTC).isoformat() if moment is not None else ""
            for moment in (self.starts_at, self.ends_at)
        )


def one_off(starts_at: datetime | None, ends_at: datetime | None) -> Window | None:
    """The one-off window, or None when neither end is set."""
    if starts_at is None and ends_at is None:
        return None
    return Window(starts_at, ends_at)
