"""Repeated maintenance windows: an RFC 5545 ``RRULE`` read, checked and expanded.

Terms: the *rule* is the stored ``recurrence`` text (``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``);
an *occurrence* is one window it opens, ``recurrence_duration`` long. Times in a rule are
wall-clock times in a time zone (``MAINTENANCE_MODE_TIME_ZONE``), so "02:00 every
Sunday" stays 02:00 across daylight saving. On the days the clocks change:

- a start that does not exist (02:30 when the clocks jump from 02:00 to 03:00) happens
  as late as the jump makes it, at the same moment as the time before the jump names
  (02:30 becomes 03:30);
- a start that exists twice (02:30 when the clocks go back from 03:00 to 02:00) happens
  once, the first time.

Each occurrence lasts the duration in elapsed time from its start.

The rule has no start date of its own: its occurrences are the calendar's. Parts the
rule leaves out are taken from Monday 1 January 2001 at 00:00 (a weekly rule without
``BYDAY`` repeats on Mondays, a monthly one without a day on the 1st, a rule without
``BYHOUR`` at midnight), and ``INTERVAL`` counts from that day. The parsing is
``python-dateutil``'s; this module refuses what it cannot use (see :func:`parse`), and
:class:`Schedule` keeps the occurrences around now, so that a request only looks them
up. Pure helpers: nothing of the app above :mod:`maintenance_panel.windows`.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
from typing import Any

from dateutil import rrule as dateutil_rrule
from django.utils import timezone

from maintenance_panel.recurrence_parts import ANCHOR, Rule, RuleError, parse
from maintenance_panel.windows import Window, one_off, window_open, window_phase

__all__ = [
    "MAX_DURATION",
    "MAX_NOTICE",
    "Rule",
    "RuleError",
    "Schedule",
    "occurrences",
    "parse",
    "to_utc",
]

#: The longest an occurrence may last.
MAX_DURATION = timedelta(days=7)
#: The longest a window may be announced ahead.
MAX_NOTICE = timedelta(days=366)
#: How many starts after now a schedule keeps (the panel previews five).
KEPT_STARTS = 6
#: How far ahead a schedule looks for them at most.
SEARCH_SPAN = timedelta(days=3 * 366)

#: The most wall-clock times one expansion goes through (three years of an hourly rule).
MOST_EXPANDED = 30_000
#: How far back :meth:`Schedule.window_before` looks, in turn.
LOOKBACKS = (timedelta(days=2), timedelta(days=62), SEARCH_SPAN)


def to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """The moment a wall-clock time of ``zone`` names (see the module docstring for the
    days the clocks change: ``fold=0`` gives the first of two, and the time before the
    jump for one that does not exist)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _anchor(rule: Rule, before: datetime) -> datetime:
    """A start for the expansion at or before ``before`` (naive) that keeps the rule's
    occurrences from then on the calendar's: a whole number of intervals after
    :data:`ANCHOR`, at the start of a period, so that expanding from it costs a few
    periods rather than every period since 2001."""
    step = rule.interval
    if rule.freq == "YEARLY":
        years = max(0, before.year - 1 - ANCHOR.year) // step * step
        return ANCHOR.replace(year=ANCHOR.year + years)
    if rule.freq == "MONTHLY":
        months = max(0, (before.year - ANCHOR.year) * 12 + before.month - 2) // step * step
        return ANCHOR.replace(year=ANCHOR.year + months // 12, month=months % 12 + 1)
    elapsed = max(timedelta(0), before - ANCHOR)
    unit = timedelta(hours=1) if rule.freq == "HOURLY" else timedelta(days=1)
    if rule.freq == "WEEKLY":
        unit = timedelta(weeks=1)
    periods = max(0, elapsed // unit - 1) // step * step
    return ANCHOR + periods * unit


def _dateutil_rule(rule: Rule, start: datetime, zone: tzinfo) -> dateutil_rrule.rrule:
    until = rule.until
    if isinstance(until, datetime) and until.tzinfo is not None:
        until = until.astimezone(zone).replace(tzinfo=None)
    elif isinstance(until, date) and not isinstance(until, datetime):
        until = datetime.combine(until, datetime.max.time())
    return dateutil_rrule.rrule(
        dtstart=start, until=until, **rule.dateutil_arguments(), cache=False
    )


def occurrences(
    rule: Rule,
    duration: timedelta,
    zone: tzinfo,
    after: datetime,
    limit: int,
    *,
    before: datetime | None = None,
) -> list[Window]:
    """Up to ``limit`` occurrences, in order, that end after ``after`` (aware): the one
    open at ``after`` first, if any; those that start before ``before`` (default: the
    :data:`SEARCH_SPAN` after ``after``)."""
    wall_after = (after - duration).astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    before = before or after + SEARCH_SPAN
    wall_before = before.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    expansion = _dateutil_rule(rule, _anchor(rule, wall_after), zone)
    found: list[Window] = []
    last_start = None
    for wall in islice(expansion.xafter(wall_after, inc=True), MOST_EXPANDED):
        if wall > wall_before or len(found) >= limit:
            break
        starts_at = to_utc(wall, zone)
        if starts_at >= before:
            break
        # Two wall-clock times can name one moment (a start in the hour the clocks skip
        # and the one after it): one occurrence.
        if starts_at + duration > after and (last_start is None or starts_at > last_start):
            found.append(Window(starts_at, starts_at + duration))
            last_start = starts_at
    return found


def start_of(window: Window) -> datetime:
    """The start of an occurrence (always set, unlike a one-off window's)."""
    assert window.starts_at is not None
    return window.starts_at


@dataclass(frozen=True, slots=True)
class _Known:
    """The occurrences a schedule has computed: every one that ends after ``since`` and
    starts before ``until``."""

    windows: tuple[Window, ...]
    starts: tuple[datetime, ...]
    since: datetime
    until: datetime


class Schedule:
    """The occurrences of one rule around now, for the snapshot.

    Computed when first asked, for the occurrence open now and the next few starts;
    when ``now`` passes the last one known (the horizon), computed again from ``now``,
    once, without I/O. Every question is a lookup in a sorted tuple.
    """

    def __init__(self, rule: Rule, duration: timedelta, zone: tzinfo) -> None:
        self.rule = rule
        self.duration = duration
        self.zone = zone
        self._known: _Known | None = None
        self._lock = threading.Lock()
        #: The last occurrence closed before what is known, and when it was known.
        self._looked_up: tuple[datetime, Window | None] | None = None

    def __repr__(self) -> str:
        return f"Schedule({self.rule.text!r}, {self.duration!r}, {self.zone!s})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and (self.rule, self.duration, str(self.zone)) == (
            other.rule,
            other.duration,
            str(other.zone),
        )

    def __hash__(self) -> int:
        return hash((self.rule, self.duration, str(self.zone)))

    def _around(self, now: datetime) -> _Known:
        known = self._known
        if known is not None and known.since <= now < known.until:
            return known
        with self._lock:
            known = self._known
            if known is None or not known.since <= now < known.until:
                known = self._compute(now)
                self._known = known
        return known

    def _compute(self, now: datetime) -> _Known:
        windows = occurrences(self.rule, self.duration, self.zone, now, KEPT_STARTS + 1)
        # Every occurrence that ends after now and starts before the last start found
        # is known: until then there is always a known start after the moment asked,
        # and a later moment computes again. Without any (the rule has ended, or has
        # nothing for years), a day later.
        until = start_of(windows[-1]) if windows else now + timedelta(days=1)
        return _Known(tuple(windows), tuple(start_of(w) for w in windows), now, until)

    def window_at(self, now: datetime) -> Window | None:
        """The occurrence open at ``now``, or None."""
        known = self._around(now)
        index = bisect.bisect_right(known.starts, now) - 1
        if index >= 0 and now < known.windows[index].ends_at:  # type: ignore[operator]
            return known.windows[index]
        return None

    def window_after(self, now: datetime) -> Window | None:
        """The first occurrence that opens after ``now``, or None."""
        known = self._around(now)
        index = bisect.bisect_right(known.starts, now)
        return known.windows[index] if index < len(known.windows) else None

    def window_before(self, now: datetime) -> Window | None:
        """The latest occurrence that closed at or before ``now``, or None: one of the
        occurrences known when one has closed since they were computed, else looked
        up once per computation (looking back further each time)."""
        known = self._around(now)
        index = bisect.bisect_right(known.starts, now)
        closed = [w for w in known.windows[:index] if w.ends_at <= now]  # type: ignore[operator]
        if closed:
            return closed[-1]
        looked_up = self._looked_up
        if looked_up is None or looked_up[0] != known.since:
            looked_up = (known.since, self._closed_before(known.since))
            self._looked_up = looked_up
        return looked_up[1]

    def _closed_before(self, moment: datetime) -> Window | None:
        for lookback in LOOKBACKS:
            earlier = occurrences(
                self.rule, self.duration, self.zone, moment - lookback, MOST_EXPANDED, before=moment
            )
            closed = [w for w in earlier if w.ends_at <= moment]  # type: ignore[operator]
            if closed:
                return closed[-1]
        return None


def stored_active(
    enabled: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    schedule: Schedule | None,
    now: datetime | None = None,
) -> bool:
    """Whether the switch holds the site at ``now``: without a rule, when the one-off
    window is open or unset; with one, when an occurrence or a set one-off window is
    open (an unset one-off window does not count)."""
    if schedule is None:
        return window_open(enabled, starts_at, ends_at, now)
    if not enabled:
        return False
    now = now or timezone.now()
    if one_off(starts_at, ends_at) is not None and window_phase(starts_at, ends_at, now) == "open":
        return True
    return schedule.window_at(now) is not None


def values_active(values: Mapping[str, Any], zone: tzinfo, now: datetime | None = None) -> bool:
    """:func:`stored_active` of the stored fields' values (``enabled``, ``starts_at``,
    ``ends_at``, ``recurrence``, ``recurrence_duration``)."""
    schedule = schedule_of(values.get("recurrence") or "", values.get("recurrence_duration"), zone)
    return stored_active(
        values.get("enabled", False), values.get("starts_at"), values.get("ends_at"), schedule, now
    )


def schedule_of(text: str, duration: Any, zone: tzinfo) -> Schedule | None:
    """The schedule of stored values, or None when they make none (no rule, no
    duration, or a rule saved around the form that cannot be read)."""
    if not text or not isinstance(duration, timedelta) or duration <= timedelta(0):
        return None
    try:
        return Schedule(parse(text), duration, zone)
    except RuleError:
        return None
