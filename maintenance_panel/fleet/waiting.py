"""Waiting until every process applies a change (``maintenance_mode ... --wait``).

A process has the new state when its report says so; it can no longer answer with the
old one when it has not re-validated for longer than its TTL (its next request reads
the new state first). :func:`wait_for_fleet` returns once every process seen recently is
one or the other, and names the rest when the time is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from maintenance_panel import cache_calls, versions
from maintenance_panel.fleet.reading import ReportsUnavailable, read_reports
from maintenance_panel.fleet.reports import CLOCK_TOLERANCE, REPORT_DELAY, ProcessReport

CONFIRMED = "confirmed"
EXPIRED = "expired"
FORCED = "forced"
PENDING = "pending"


@dataclass(frozen=True)
class Verdict:
    """Where one process stands while a change spreads."""

    report: ProcessReport
    kind: str  # CONFIRMED, EXPIRED, FORCED or PENDING
    why: str

    @property
    def settled(self) -> bool:
        """It has the new state, or can no longer answer with the old one."""
        return self.kind in {CONFIRMED, EXPIRED}

    def as_dict(self) -> dict[str, Any]:
        """The process's report as data, with ``verdict`` (the kind) and ``why``."""
        return {**self.report.as_dict(), "verdict": self.kind, "why": self.why}


def _version_number(version: str) -> int | None:
    try:
        return int(version)
    except ValueError:
        return None


def _on_off(active: bool) -> str:
    return _("maintenance on") if active else _("maintenance off")


def classify(
    report: ProcessReport, *, expected: bool, target: int | None, since: float, now: float
) -> Verdict:
    """Where ``report``'s process stands, ``target`` being the version of the change
    (committed at ``since``, ``time.time()``) and ``expected`` whether it turns
    maintenance on."""
    seen = report.seen_at.timestamp()
    number = _version_number(report.version)
    if report.forced and report.active != expected:
        return Verdict(report, FORCED, report.forced_text)
    if report.active == expected and (
        report.forced
        or (number is not None and (target is None or number >= target))
        or (number is None and report.version != "fallback" and seen >= since)
    ):
        return Verdict(
            report,
            CONFIRMED,
            _("has the new state (%(state)s, version %(version)s)")
            % {"state": _on_off(report.active), "version": report.version},
        )
    if now >= seen + report.ttl + CLOCK_TOLERANCE:
        return Verdict(
            report,
            EXPIRED,
            _(
                "no request for %(seconds).1f s: what it knew has expired, its next "
                "request reads the new state"
            )
            % {"seconds": now - seen},
        )
    if report.version == "fallback":
        why = _("cannot read the state (database and cache unreachable)")
    else:
        why = _("still applies %(state)s (version %(version)s, %(seconds).1f s ago)") % {
            "state": _on_off(report.active),
            "version": report.version,
            "seconds": max(0.0, now - seen),
        }
    return Verdict(report, PENDING, why)


def _shared_version(limit: float) -> int | None:
    """The shared version now (None with a process-local cache), the cache given
    ``limit`` seconds to answer even while this process backs off from it."""
    if not versions.cache_is_shared():
        return None
    try:
        return cache_calls.call(versions.current_version, limit=limit, back_off=False)
    except versions.CACHE_ERRORS as exc:
        raise ReportsUnavailable(str(exc) or type(exc).__name__) from exc


class FleetTimeout(Exception):
    """Some processes did not take the new state in time."""

    def __init__(self, verdicts: list[Verdict]) -> None:
        super().__init__(verdicts)
        self.verdicts = verdicts


def wait_for_fleet(
    *,
    expected: Callable[[], bool],
    target: int | None,
    since: float,
    timeout: float,
    on_settled: Callable[[Verdict], None] = lambda verdict: None,
    on_poll: Callable[[list[Verdict]], None] = lambda verdicts: None,
    interval: float = 0.1,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Verdict]:
    """Return once every process seen recently has the new state or can no longer
    answer with the old one; raise :class:`FleetTimeout` after ``timeout`` seconds.

    ``expected()`` says whether the change turns maintenance on, ``target`` is its
    version (None: the shared version now) and ``since`` when it committed.
    ``on_settled`` hears of each process once, as it settles; ``on_poll`` of those
    still waited for, at each look. The first answer comes
    no sooner than :data:`REPORT_DELAY` after the start, so that a report still on its
    way is not missed.

    The cache gets the time left to answer each read, even while this process backs
    off from it (:mod:`maintenance_panel.cache_calls`): a cache that hangs ends the wait
    with :class:`ReportsUnavailable` at the timeout, not at its client's.
    """
    start = clock()
    target = _shared_version(timeout) if target is None else target
    told: set[tuple[str, int]] = set()
    while True:
        left = max(start + timeout - clock(), cache_calls.REQUEST_LIMIT)
        reports = read_reports(limit=left, back_off=False)
        now = clock()
        want = expected()
        verdicts = [
            classify(report, expected=want, target=target, since=since, now=now)
            for report in reports
        ]
        for verdict in verdicts:
            key = (verdict.report.host, verdict.report.pid)
            if verdict.settled and key not in told:
                told.add(key)
                on_settled(verdict)
        unsettled = [verdict for verdict in verdicts if not verdict.settled]
        on_poll(unsettled)
        if not unsettled and now >= start + REPORT_DELAY:
            return verdicts
        if unsettled and now >= start + timeout:
            raise FleetTimeout(unsettled)
        sleep(max(0.0, min(interval, start + max(timeout, REPORT_DELAY) - now)))
