"""The fleet: which processes serve requests, and what state each one applies.

- :mod:`~maintenance_panel.fleet.reports`: what a process reports (a
  :class:`ProcessReport`), where, and how long it counts;
- :mod:`~maintenance_panel.fleet.writer`: how this process writes its own report, from
  a thread of its own, each time it re-validates its snapshot;
- :mod:`~maintenance_panel.fleet.reading`: the reports of the processes seen recently;
- :mod:`~maintenance_panel.fleet.waiting`: waiting until every process applies a change
  (``maintenance_mode ... --wait``).

With a process-local cache (LocMem) each process reports only to itself: the list shows
the reading process at most, and waiting cannot ask anyone (the command waits one TTL
instead).
"""

from __future__ import annotations

from maintenance_panel.fleet.reading import ReportsUnavailable, hosts, read_reports
from maintenance_panel.fleet.reports import (
    CLOCK_TOLERANCE,
    REPORT_DELAY,
    SLOT_KEY,
    SLOTS,
    ProcessReport,
    reports_are_shared,
    seen_recently,
)
from maintenance_panel.fleet.waiting import (
    CONFIRMED,
    EXPIRED,
    FORCED,
    PENDING,
    FleetTimeout,
    Verdict,
    classify,
    wait_for_fleet,
)
from maintenance_panel.fleet.writer import drain, reset

__all__ = [
    "CLOCK_TOLERANCE",
    "CONFIRMED",
    "EXPIRED",
    "FORCED",
    "PENDING",
    "REPORT_DELAY",
    "SLOTS",
    "SLOT_KEY",
    "FleetTimeout",
    "ProcessReport",
    "ReportsUnavailable",
    "Verdict",
    "classify",
    "drain",
    "hosts",
    "read_reports",
    "reports_are_shared",
    "reset",
    "seen_recently",
    "wait_for_fleet",
]
