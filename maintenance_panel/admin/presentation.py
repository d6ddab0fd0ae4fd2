"""The panel's presentation of the state: the status box and the "Servers" section.

Both are read off a :class:`~maintenance_panel.status.Status`; the panel adds who
switched last and when (from the history), and which processes apply the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from maintenance_panel import fleet, wording
from maintenance_panel.models import MaintenanceChange
from maintenance_panel.models.history import actor_display
from maintenance_panel.status import Status


@dataclass(frozen=True)
class PanelStatus:
    """The state as the panel's status box tells it."""

    kind: str  # "on", "off" or "scheduled"
    label: str
    forced: bool
    #: Why settings fix the state ("" when they do not).
    reason: str
    since: datetime | None
    since_by: str
    starts_at: datetime | None
    ends_at: datetime | None
    #: The switch is on but the window is over.
    ended: bool
    #: The level: read-only rather than full maintenance (settings included).
    read_only: bool
    level_fixed: bool
    #: "only /checkout/ and /api/v1/", or "" for the whole site.
    scope: str


def _last_switch() -> tuple[datetime | None, str]:
    change = (
        MaintenanceChange.objects.filter(changes__has_key="enabled")
        .only("changed_at", "actor")
        .first()
    )
    if change is None:
        return None, ""
    return change.changed_at, actor_display(change.actor)


def panel_status(status: Status) -> PanelStatus:
    """What the status box says about ``status``: since when and by whom (the last
    switch in the history; the window's start or end where that is the later news)."""
    since, since_by = _last_switch()
    if status.forced_by_settings:
        since, since_by = None, ""
    elif status.ended:
        since, since_by = status.ends_at, ""
    elif (
        status.kind == "on"
        and status.starts_at is not None
        and (since is None or since < status.starts_at)
    ):
        since = status.starts_at
    return PanelStatus(
        kind=status.kind,
        label=wording.status_label(status),
        forced=status.forced_by_settings,
        reason=wording.fixed_reasons().get("enabled", ""),
        since=since,
        since_by=since_by,
        starts_at=status.starts_at,
        ends_at=status.ends_at,
        ended=status.ended,
        read_only=status.read_only,
        level_fixed=status.level_fixed,
        scope=wording.scope_phrase(status.scope),
    )


@dataclass(frozen=True)
class ServersSummary:
    """The fleet as the panel's "Servers" section tells it."""

    processes: list[fleet.ProcessReport]
    #: "4 processes on 2 hosts have this state."
    agreeing: str
    #: (process, why) for each process that applies another state.
    differing: list[tuple[fleet.ProcessReport, str]]
    shared: bool
    error: str = ""
    seen_recently: float = 60.0


def servers_summary(status: Status) -> ServersSummary:
    """Which processes apply the state the status box shows, and which do not, and why."""
    shared = fleet.reports_are_shared()
    window = fleet.seen_recently()
    try:
        processes = fleet.read_reports()
    except fleet.ReportsUnavailable as exc:
        return ServersSummary([], "", [], shared, error=str(exc), seen_recently=window)
    agreeing = [process for process in processes if process.active == status.active]
    now = timezone.now()
    differing = [
        (
            process,
            process.forced_text
            or gettext("has not read the new state yet (seen %(seconds).1f s ago)")
            % {"seconds": (now - process.seen_at).total_seconds()},
        )
        for process in processes
        if process.active != status.active
    ]
    return ServersSummary(
        processes, _agreeing_sentence(agreeing), differing, shared, seen_recently=window
    )


def _agreeing_sentence(agreeing: list[fleet.ProcessReport]) -> str:
    count, hosts = len(agreeing), len(fleet.hosts(agreeing))
    return ngettext(
        "%(processes)s on %(hosts)s has this state.",
        "%(processes)s on %(hosts)s have this state.",
        count,
    ) % {
        "processes": ngettext("%(count)d process", "%(count)d processes", count) % {"count": count},
        "hosts": ngettext("%(count)d host", "%(count)d hosts", hosts) % {"count": hosts},
    }
