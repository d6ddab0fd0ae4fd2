"""Fleet reports: which processes serve requests, and what state each one applies.

Every process that serves requests reports to the shared cache each time it
re-validates its snapshot: at most once per ``MAINTENANCE_MODE_STATE_TTL``, never while
idle, and never on its own (the re-validation happens anyway). A report holds the
``host``, the ``pid``, the ``version`` of the state it installed, whether it applies
maintenance (``active``), whether its own settings fix the state (``forced``), when
(``seen_at``) and its TTL. The request that re-validates only puts the report on a
queue; a background thread of the process writes it, so no request waits for the cache.

"Seen recently" means re-validated within :func:`seen_recently` seconds (60, or three
TTLs if that is longer): each report is stored with that timeout, so a process that
stops or idles drops out of the list by itself; one that exits cleanly removes its
report at once. Reports live in :data:`SLOTS` cache keys; a process claims a free slot
with an atomic ``add`` and keeps it while it reports.

With a process-local cache (LocMem) each process reports only to itself: the list
shows the reading process at most, and :func:`wait_for_fleet` cannot work (the command
waits one TTL instead).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import caches
from django.core.signals import request_started
from django.utils.translation import gettext as _

from maintenance_panel import conf, state
from maintenance_panel.snapshot import Snapshot

logger = logging.getLogger("maintenance_panel")

#: How many processes can report at once (one cache key each).
SLOTS = 1024
#: Cache key of one slot (``% slot``).
SLOT_KEY = "maintenance_panel:fleet:v1:%d"
#: Longest time from a re-validation until its report is in the cache (the background
#: write): a wait never trusts the absence of a newer report before it has passed.
REPORT_DELAY = 0.25
#: Tolerated difference between the clocks of the hosts (seconds).
CLOCK_TOLERANCE = 0.25


def seen_recently() -> float:
    """Seconds a report stays listed: 60, or three TTLs when that is longer."""
    return max(60.0, 3 * conf.state_ttl())


def reports_are_shared() -> bool:
    """Whether processes can read each other's reports (the cache is shared)."""
    return state.cache_is_shared()


# -- what a process reports ----------------------------------------------------------


@dataclass(frozen=True)
class ProcessReport:
    """One process's report: who it is and what state it applies."""

    host: str
    pid: int
    #: The version (stamp) of the state it installed: the shared version number, or
    #: ``local-...`` when it read the database itself.
    version: str
    #: Whether it holds requests back (its settings, the switch and the window).
    active: bool
    #: Whether its own ``MAINTENANCE_MODE`` setting fixes the state.
    forced: bool
    seen_at: datetime
    #: Its ``MAINTENANCE_MODE_STATE_TTL``: how long it trusts what it installed.
    ttl: float
    #: Tells apart two processes that had the same host and pid one after the other.
    token: str = ""

    @property
    def label(self) -> str:
        """``web-2, pid 4711``."""
        return _("%(host)s, pid %(pid)s") % {"host": self.host, "pid": self.pid}

    @property
    def forced_text(self) -> str:
        """``forced on/off by its settings`` (empty when its settings do not fix it)."""
        if not self.forced:
            return ""
        return _("forced on by its settings") if self.active else _("forced off by its settings")

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``seen_at`` in ISO 8601)."""
        return {
            "host": self.host,
            "pid": self.pid,
            "version": self.version,
            "active": self.active,
            "forced": self.forced,
            "seen_at": self.seen_at.isoformat(),
            "ttl": self.ttl,
        }

    @classmethod
    def from_stored(cls, stored: Any) -> ProcessReport | None:
        """A report from what a slot holds (None for anything else)."""
        try:
            return cls(
                host=str(stored["host"]),
                pid=int(stored["pid"]),
                version=str(stored["version"]),
                active=bool(stored["active"]),
                forced=bool(stored["forced"]),
                seen_at=datetime.fromtimestamp(float(stored["seen_at"]), tz=UTC),
                ttl=float(stored["ttl"]),
                token=str(stored.get("token", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def _same_process(a: Any, b: dict[str, Any]) -> bool:
    return isinstance(a, dict) and all(a.get(k) == b[k] for k in ("host", "pid", "token"))


# -- writing: a background thread per process ------------------------------------------


class _Writer:
    """Writes this process's reports from a thread of its own, latest first."""

    def __init__(self) -> None:
        self.pid = 0
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self.lock = threading.Lock()
        self.token = ""
        self.slot: int | None = None
        #: ``time.monotonic()`` of the last time the slot was claimed (checked as ours).
        self.claimed_at = 0.0
        self.failing = False
        #: The newest report handed over (perhaps not written yet): this process reads
        #: its own state from here, so it never sees itself behind.
        self.latest: dict[str, Any] | None = None

    def identity(self) -> tuple[str, int, str]:
        self._start()
        return socket.gethostname(), self.pid, self.token

    def _start(self) -> None:
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            # The first report of this process (or of a forked child: threads do not
            # survive a fork, and the slot belongs to the parent).
            self.queue = queue.Queue()
            self.slot = None
            self.token = uuid.uuid4().hex[:12]
            self.pid = os.getpid()
            threading.Thread(target=self._run, name="maintenance-panel-fleet", daemon=True).start()
            atexit.register(self.forget, self.pid)

    def submit(self, report: dict[str, Any]) -> None:
        self._start()
        self.latest = report
        self.queue.put(report)

    def own_report(self) -> dict[str, Any] | None:
        """The newest report of this process (None before it served a request)."""
        return self.latest if self.pid == os.getpid() else None

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every submitted report is written (tests); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _run(self) -> None:
        current = self.queue
        while True:
            report = current.get()
            done = 1
            while True:  # only the newest report matters
                try:
                    report = current.get_nowait()
                except queue.Empty:
                    break
                done += 1
            try:
                self.write(report)
            finally:
                for _ in range(done):
                    current.task_done()

    def write(self, report: dict[str, Any]) -> None:
        try:
            self._store(caches[conf.cache_alias()], report, seen_recently())
        except state.CACHE_ERRORS as exc:
            if not self.failing:
                self.failing = True
                logger.warning("maintenance_panel: cannot write the fleet report: %s", exc)
            return
        if self.failing:
            self.failing = False
            logger.info("maintenance_panel: fleet reports are written again")

    def _store(self, cache: Any, report: dict[str, Any], timeout: float) -> None:
        now = time.monotonic()
        if self.slot is not None and now - self.claimed_at >= timeout / 2:
            # Now and then, check that the slot is still this process's (a flushed
            # cache may have let another process take it): one read, no extra write.
            current = cache.get(SLOT_KEY % self.slot)
            if current is not None and not _same_process(current, report):
                self.slot, self.claimed_at = None, 0.0  # look for another one at once
            else:
                self.claimed_at = now
        if self.slot is not None:
            cache.set(SLOT_KEY % self.slot, report, timeout)
        elif not self.claimed_at or now - self.claimed_at >= timeout / 2:
            # (With every slot taken, the next try comes only after a while.)
            self.slot = _claim(cache, report, timeout)
            self.claimed_at = now

    def forget(self, pid: int) -> None:
        """Remove this process's report (at a clean exit): it serves no more requests."""
        if pid != os.getpid():
            return
        self.latest = None
        if self.slot is None:
            return
        try:
            cache = caches[conf.cache_alias()]
            key = SLOT_KEY % self.slot
            mine = {"host": socket.gethostname(), "pid": self.pid, "token": self.token}
            if _same_process(cache.get(key), mine):
                cache.delete(key)
        except state.CACHE_ERRORS:
            pass  # the report drops out by itself after seen_recently()


def _claim(cache: Any, report: dict[str, Any], timeout: float) -> int | None:
    """Store ``report`` in this process's slot: the one it holds, or a free one."""
    identity = f"{report['host']}:{report['pid']}:{report['token']}"
    start = zlib.crc32(identity.encode()) % SLOTS
    for step in range(SLOTS):
        slot = (start + step) % SLOTS
        key = SLOT_KEY % slot
        if cache.add(key, report, timeout):
            return slot
        if _same_process(cache.get(key), report):
            cache.set(key, report, timeout)
            return slot
    logger.warning(
        "maintenance_panel: all %d fleet report slots are taken; this process is not listed",
        SLOTS,
    )
    return None


_writer = _Writer()
#: Whether this process serves requests (only those report; a management command does
#: not). Set by the first request; the receiver then disconnects itself.
_serving = False


def _on_request_started(**kwargs: Any) -> None:
    global _serving
    _serving = True
    request_started.disconnect(dispatch_uid=__name__)


def _on_revalidated(*, snapshot: Snapshot, ttl: float, **kwargs: Any) -> None:
    if not _serving:
        return
    host, pid, token = _writer.identity()
    forced = conf.forced_state()
    _writer.submit(
        {
            "host": host,
            "pid": pid,
            "token": token,
            "version": snapshot.stamp,
            "active": snapshot.active(),
            "forced": forced is not None,
            "seen_at": time.time(),
            "ttl": ttl,
        }
    )


def connect() -> None:
    """Start reporting once this process serves a request (from ``AppConfig.ready``)."""
    if not _serving:
        request_started.connect(_on_request_started, dispatch_uid=__name__)
    state.snapshot_revalidated.connect(_on_revalidated, dispatch_uid=__name__)


def reset() -> None:
    """Forget that this process served requests, and its report (tests): it reports
    again after its next request."""
    global _serving
    _writer.drain()
    _writer.forget(os.getpid())
    _serving = False
    connect()


def drain(timeout: float = 5.0) -> bool:
    """Wait until this process's reports are in the cache (tests); False on timeout."""
    return _writer.drain(timeout)


# -- reading ---------------------------------------------------------------------------


class ReportsUnavailable(Exception):
    """The cache that holds the reports cannot be read."""


def read_reports() -> list[ProcessReport]:
    """Processes seen recently, newest first (one ``get_many`` of every slot; this
    process's own report as it handed it over, even before it is written).

    Raises :class:`ReportsUnavailable` when the cache cannot be read.
    """
    cache = caches[conf.cache_alias()]
    try:
        stored = cache.get_many([SLOT_KEY % slot for slot in range(SLOTS)])
    except state.CACHE_ERRORS as exc:
        raise ReportsUnavailable(str(exc) or type(exc).__name__) from exc
    horizon = time.time() - seen_recently() - CLOCK_TOLERANCE
    newest: dict[tuple[str, int], ProcessReport] = {}
    for value in [*stored.values(), _writer.own_report()]:
        report = ProcessReport.from_stored(value)
        if report is None or report.seen_at.timestamp() < horizon:
            continue
        key = (report.host, report.pid)
        if key not in newest or newest[key].seen_at < report.seen_at:
            newest[key] = report
    return sorted(newest.values(), key=lambda r: (r.seen_at, r.host, r.pid), reverse=True)


def hosts(reports: Iterable[ProcessReport]) -> set[str]:
    """The hosts among ``reports``."""
    return {report.host for report in reports}


# -- waiting for every process ---------------------------------------------------------

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
    """
    try:
        target = state.shared_version() if target is None else target
    except state.CACHE_ERRORS as exc:
        raise ReportsUnavailable(str(exc) or type(exc).__name__) from exc
    start = clock()
    told: set[tuple[str, int]] = set()
    while True:
        now = clock()
        want = expected()
        verdicts = [
            classify(report, expected=want, target=target, since=since, now=now)
            for report in read_reports()
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
