"""The panel's presentation of the state: the status box and the "Servers",
"Background work" and "Notifications" sections.

Both are read off a :class:`~maintenance_panel.status.Status`; the panel adds who
switched last and when (from the history), and which processes apply the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from maintenance_panel import conf, fleet, wording
from maintenance_panel.fleet import held
from maintenance_panel.models import Delivery, MaintenanceChange
from maintenance_panel.models.history import actor_display
from maintenance_panel.notifications import mail, webhooks
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


@dataclass(frozen=True)
class WorkSummary:
    """Background work as the panel's "Background work" section tells it."""

    #: What work does now: held, or runs (and why).
    sentence: str
    #: The names (regular expressions) of the work that keeps running, each with
    #: whether a setting gives it.
    exempt: list[tuple[str, bool]]
    #: (name, how many times it was held in the last hour), most held first.
    counts: list[tuple[str, int]]
    shared: bool
    error: str = ""


def work_summary(status: Status) -> WorkSummary:
    """Whether background work is held now, which names keep running, and how often
    each name was held in the last hour (read from the shared cache)."""
    reason = status.work.reason
    if reason == "read_only" and not conf.block_writes():
        reason = "read_only_unguarded"
    sentence = str(wording.WORK_PANEL_SENTENCES[reason])
    if status.work.retry_after is not None:
        sentence += " " + gettext("Held work is tried again after %(seconds)d s.") % {
            "seconds": status.work.retry_after
        }
    exempt = [(entry, True) for entry in status.work.exempt.settings]
    exempt += [(entry, False) for entry in status.work.exempt.admin]
    shared = fleet.reports_are_shared()
    try:
        counts = list(held.read_held_counts().items())
    except fleet.ReportsUnavailable as exc:
        return WorkSummary(sentence, exempt, [], shared, error=str(exc))
    return WorkSummary(sentence, exempt, counts, shared)


#: How far back a failed delivery counts as "failing" on the panel.
FAILING_WITHIN = timedelta(days=1)


@dataclass(frozen=True)
class NotificationsSummary:
    """Notifications as the panel's "Notifications" section tells them."""

    #: "2 webhooks and 3 e-mail addresses are told of each event."
    audience: str
    last_delivered: datetime | None
    #: How many deliveries of the last day are failing (being retried, or given up).
    failing: int
    #: The latest failure's error, naming the host ("502 from hooks.example.com").
    last_error: str
    #: How many deliveries wait for their first or next attempt.
    pending: int


def notifications_summary() -> NotificationsSummary:
    """Who is told of each event, when a delivery last went out, and what is failing."""
    hooks, addresses = len(webhooks.configured()), len(mail.recipients())
    audience = gettext(
        "Nobody is told of maintenance yet: set MAINTENANCE_MODE_WEBHOOKS, or choose groups "
        "to notify below."
    )
    if hooks or addresses:
        audience = _audience(hooks, addresses)
    last = Delivery.objects.filter(status=Delivery.DELIVERED).order_by("-delivered_at").first()
    failing = Delivery.objects.filter(
        Q(status=Delivery.FAILED) | Q(status=Delivery.PENDING, attempts__gt=0),
        updated_at__gte=timezone.now() - FAILING_WITHIN,
    ).order_by("-updated_at")
    latest_failure = failing.first()
    return NotificationsSummary(
        audience=audience,
        last_delivered=last.delivered_at if last is not None else None,
        failing=failing.count(),
        last_error=latest_failure.last_error if latest_failure is not None else "",
        pending=Delivery.objects.filter(status=Delivery.PENDING, attempts=0).count(),
    )


def _audience(hooks: int, addresses: int) -> str:
    return gettext("%(webhooks)s and %(addresses)s are told of each event.") % {
        "webhooks": ngettext("%(count)d webhook", "%(count)d webhooks", hooks) % {"count": hooks},
        "addresses": ngettext("%(count)d e-mail address", "%(count)d e-mail addresses", addresses)
        % {"count": addresses},
    }
