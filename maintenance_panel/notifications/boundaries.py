"""Window events and the reminder: which are due at a moment, and when the next one is.

A *boundary* is a moment at which an event becomes due while the switch is on: a window
(the one-off window or an occurrence of a repeated one) opens (``window_opened``) or
closes (``window_closed``), or maintenance has been on for
``MAINTENANCE_MODE_REMIND_AFTER`` (``still_on``, once per time the switch was turned
on). Pure functions of a snapshot and a moment: :mod:`.noticing` asks them which
boundaries to claim and when to look again; the panel and the admin banner ask
:func:`on_since` since when maintenance has been on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from maintenance_panel import conf
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.windows import Window

#: A boundary older than this is not announced any more (a site without traffic and
#: without ``maintenance_mode tick`` would otherwise tell of it hours late).
GRACE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Boundary:
    """One event due once for the whole fleet."""

    event: str
    #: Names the event the same way in every process (the outbox's unique key).
    key: str
    #: When it became due.
    at: datetime
    window: Window | None = None


def on_since(snapshot: Snapshot, now: datetime) -> datetime | None:
    """Since when maintenance has been on by the switch: when it was turned on, or when
    the open window opened if that was later. None while the switch is off."""
    switched_on_at = snapshot.switched_on_at
    if not snapshot.enabled or switched_on_at is None:
        return None
    window = snapshot.window_at(now)
    if window is not None and window.starts_at is not None:
        return max(switched_on_at, window.starts_at)
    return switched_on_at


def _held_by_the_switch(snapshot: Snapshot, now: datetime) -> bool:
    """Whether the switch holds the site now: on, and a window is open or there is no
    window at all (asked through the snapshot's windows only, so that repeated windows
    count as the one-off one does)."""
    if not snapshot.enabled:
        return False
    if snapshot.window_at(now) is not None:
        return True
    return snapshot.window_before(now) is None and snapshot.window_after(now) is None


def _reminder(snapshot: Snapshot, now: datetime) -> Boundary | None:
    """``still_on`` for this time the switch was turned on (due or not yet)."""
    remind_after = conf.remind_after()
    since = on_since(snapshot, now)
    if remind_after is None or since is None or not _held_by_the_switch(snapshot, now):
        return None
    assert snapshot.switched_on_at is not None  # on_since() said so
    turned_on = snapshot.switched_on_at.astimezone(UTC).isoformat()
    return Boundary("still_on", f"still_on|{turned_on}", since + timedelta(seconds=remind_after))


def _switched_on_by(snapshot: Snapshot, moment: datetime) -> bool:
    # A window that opened or closed before the switch was turned on is no news: the
    # switch event told of it.
    return snapshot.switched_on_at is None or snapshot.switched_on_at <= moment


def _boundary(
    snapshot: Snapshot, now: datetime, event: str, window: Window | None, moment_of: str
) -> Boundary | None:
    """``event`` of ``window`` at its start or end (``moment_of``), when that moment has
    passed within :data:`GRACE` and the switch was on by then."""
    moment = getattr(window, moment_of, None)
    if window is None or moment is None or not timedelta(0) <= now - moment <= GRACE:
        return None
    if not _switched_on_by(snapshot, moment):
        return None
    return Boundary(event, f"{event}|{window.key()}", moment, window)


def due(snapshot: Snapshot, now: datetime) -> list[Boundary]:
    """The boundaries due at ``now`` (within :data:`GRACE`), while the switch is on. A
    window that opened and closed before anyone looked is told of as both, in order."""
    if not snapshot.enabled:
        return []
    current, closed = snapshot.window_at(now), snapshot.window_before(now)
    found = [
        _boundary(snapshot, now, "window_opened", closed, "starts_at"),
        _boundary(snapshot, now, "window_closed", closed, "ends_at"),
        _boundary(snapshot, now, "window_opened", current, "starts_at"),
    ]
    reminder = _reminder(snapshot, now)
    if reminder is not None and reminder.at <= now:
        found.append(reminder)
    return [boundary for boundary in found if boundary is not None]


def next_moment(snapshot: Snapshot, now: datetime) -> datetime | None:
    """The next moment after ``now`` at which a boundary may become due (a window opens
    or closes, the reminder is due), or None while the switch is off."""
    if not snapshot.enabled:
        return None
    moments = []
    current = snapshot.window_at(now)
    if current is not None and current.ends_at is not None:
        moments.append(current.ends_at)
    upcoming = snapshot.window_after(now)
    if upcoming is not None and upcoming.starts_at is not None:
        moments.append(upcoming.starts_at)
    reminder = _reminder(snapshot, now)
    if reminder is not None and reminder.at > now:
        moments.append(reminder.at)
    return min(moments, default=None)
