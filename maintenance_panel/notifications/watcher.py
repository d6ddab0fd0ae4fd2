"""The thread that notices window events and the reminder in a process that serves
requests.

:mod:`maintenance_panel.state` calls :func:`watch` each time it installs a snapshot (at
most once per ``MAINTENANCE_MODE_STATE_TTL``): when the snapshot is a new one, the
thread wakes, notices what is due (:func:`.noticing.notice`) and sleeps until the next
boundary (:func:`.boundaries.next_moment`), or :data:`.noticing.RETRY` seconds while
another process holds a claim. A request only hands the snapshot over; it never waits
for the cache or the database here. Only a process that serves requests watches (the
first request tells, through Django's ``request_started`` signal,
:func:`_on_request_started`, connected below); a management command does not (``tick``
notices by itself). The test helpers (:mod:`maintenance_panel.testing`) turn the thread
off with :func:`reset`: a test that wants it calls :func:`watch_in_background`.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.core.signals import request_started
from django.db import connections
from django.utils import timezone

from maintenance_panel.notifications import noticing
from maintenance_panel.notifications.boundaries import next_moment
from maintenance_panel.snapshot import Snapshot

logger = logging.getLogger("maintenance_panel")

#: The longest sleep: a wall clock that was set meanwhile is read again after this.
LONGEST_SLEEP = 300.0
#: The shortest sleep (a timer may fire a little before the boundary).
SHORTEST_SLEEP = 0.05
#: What a boundary's outcome leaves to do: look again soon.
UNSETTLED = frozenset({noticing.HELD, noticing.FAILED})


class _Watcher:
    """The latest snapshot, and the thread that notices its boundaries."""

    def __init__(self) -> None:
        self.pid = 0
        self.snapshot: Snapshot | None = None
        self.wake = threading.Condition()
        #: Keys this process need not look at again for this snapshot.
        self.settled: set[str] = set()
        #: Whether the thread runs at all (the test helpers turn it off).
        self.background = True

    def watch(self, snapshot: Snapshot, *, serving: bool) -> None:
        if snapshot is not self.snapshot and self.background:
            with self.wake:
                self.snapshot = snapshot
                self.settled = set()
                self.wake.notify()
        if serving:
            self.start()

    def start(self) -> None:
        if self.pid == os.getpid() or not self.background:
            return
        with self.wake:
            if self.pid == os.getpid():
                return
            # The first snapshot of this process (or of a forked child: threads do not
            # survive a fork).
            self.pid = os.getpid()
            threading.Thread(
                target=self._run, name="maintenance-panel-boundaries", daemon=True
            ).start()

    def _run(self) -> None:
        while True:
            with self.wake:
                while self.snapshot is None or not self.background:
                    self.wake.wait()
                # This snapshot's set of settled keys (a new snapshot brings a new one).
                snapshot, settled = self.snapshot, self.settled
            try:
                delay = self.look(snapshot, settled)
            except Exception:
                # Whatever went wrong, the thread must live on to notice the next
                # boundary; the traceback is logged, not hidden.
                logger.exception("maintenance_panel: noticing window events failed")
                delay = noticing.RETRY
            with self.wake:
                if self.snapshot is snapshot and self.background:
                    self.wake.wait(delay)

    def look(self, snapshot: Snapshot, settled: set[str]) -> float:
        """Notice what is due for ``snapshot`` but the keys in ``settled`` (adding those
        it settles); seconds until it is worth looking again."""
        now = timezone.now()
        noticed = noticing.notice(snapshot, now, skip=frozenset(settled))
        if noticed:
            # This thread's own connections: closed rather than kept for hours.
            connections.close_all()
        unsettled = False
        for each in noticed:
            if each.outcome in UNSETTLED:
                unsettled = True
            else:
                settled.add(each.boundary.key)
        delay = LONGEST_SLEEP
        moment = next_moment(snapshot, now)
        if moment is not None:
            delay = min(delay, (moment - timezone.now()).total_seconds())
        if unsettled:
            delay = min(delay, noticing.RETRY)
        return max(delay, SHORTEST_SLEEP)


_watcher = _Watcher()
#: Whether this process serves requests (set by the first request).
_serving = False


def _on_request_started(**kwargs: Any) -> None:
    global _serving
    _serving = True
    request_started.disconnect(dispatch_uid=__name__)
    _watcher.start()  # it watches the snapshot installed before this request, if any


def watch(snapshot: Snapshot) -> None:
    """Hand ``snapshot`` to this process's thread, which runs once the process serves
    requests (an assignment when it holds this snapshot already)."""
    _watcher.watch(snapshot, serving=_serving)


def listen_for_requests() -> None:
    """Start watching once this process serves a request."""
    if not _serving:
        request_started.connect(_on_request_started, dispatch_uid=__name__)


def reset() -> None:
    """Stop noticing in the background and forget the snapshot and what was settled
    (tests): a test's data is not the thread's to announce."""
    global _serving
    with _watcher.wake:
        _watcher.background = False
        _watcher.snapshot = None
        _watcher.settled = set()
        _watcher.wake.notify()
    _serving = False
    listen_for_requests()


def watch_in_background() -> None:
    """Notice in the background again, from the next snapshot installed (tests)."""
    _watcher.background = True


listen_for_requests()
