"""Writing this process's fleet report: from a thread of its own, never on a request.

:func:`maintenance_panel.state` calls :func:`report_installed` each time it installs a
re-validated snapshot (at most once per ``MAINTENANCE_MODE_STATE_TTL``, and after each
write this process made). Only a process that serves requests reports (a management
command does not): the first request tells, through Django's ``request_started``
signal (:func:`_on_request_started`, connected below). The request that re-validates
only puts the report on a queue; a background thread writes it, so no request waits
for the cache (through :mod:`maintenance_panel.cache_calls`: given
``REPORT_DELAY`` to answer, and skipped while the process backs off from a failing
cache). A process claims a free slot with an atomic ``add`` and keeps it while it
reports; one that exits cleanly removes its report at once.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import socket
import threading
import time
import uuid
import zlib
from typing import Any

from django.core.signals import request_started

from maintenance_panel import cache_calls, conf
from maintenance_panel.fleet.reports import (
    REPORT_DELAY,
    SLOT_KEY,
    SLOTS,
    same_process,
    seen_recently,
)
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.versions import CACHE_ERRORS

logger = logging.getLogger("maintenance_panel")


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
        # Through the cache caller: while the process backs off from a failing cache the
        # report is skipped (the next re-validation hands over a newer one anyway).
        try:
            cache_calls.call(
                lambda cache: self._store(cache, report, seen_recently()),
                limit=REPORT_DELAY,
            )
        except CACHE_ERRORS as exc:
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
            if current is not None and not same_process(current, report):
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
        key = SLOT_KEY % self.slot
        mine = {"host": socket.gethostname(), "pid": self.pid, "token": self.token}

        def remove(cache: Any) -> None:
            if same_process(cache.get(key), mine):
                cache.delete(key)

        # At exit: never wait long for a cache that hangs. On failure the report drops
        # out by itself after seen_recently().
        with contextlib.suppress(*CACHE_ERRORS):
            cache_calls.call(remove)


def _claim(cache: Any, report: dict[str, Any], timeout: float) -> int | None:
    """Store ``report`` in this process's slot: the one it holds, or a free one."""
    identity = f"{report['host']}:{report['pid']}:{report['token']}"
    start = zlib.crc32(identity.encode()) % SLOTS
    for step in range(SLOTS):
        slot = (start + step) % SLOTS
        key = SLOT_KEY % slot
        if cache.add(key, report, timeout):
            return slot
        if same_process(cache.get(key), report):
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


def report_installed(snapshot: Snapshot, ttl: float) -> None:
    """Report that this process installed ``snapshot``, trusted for ``ttl`` seconds (a
    queue put; nothing when this process serves no requests)."""
    if not _serving:
        return
    host, pid, token = _writer.identity()
    _writer.submit(
        {
            "host": host,
            "pid": pid,
            "token": token,
            "version": snapshot.stamp,
            "active": snapshot.active(),
            "forced": conf.forced_state() is not None,
            "seen_at": time.time(),
            "ttl": ttl,
        }
    )


def listen_for_requests() -> None:
    """Start reporting once this process serves a request."""
    if not _serving:
        request_started.connect(_on_request_started, dispatch_uid=__name__)


def reset() -> None:
    """Forget that this process served requests, and its report (tests): it reports
    again after its next request."""
    global _serving
    _writer.drain()
    _writer.forget(os.getpid())
    _serving = False
    listen_for_requests()


def own_report() -> dict[str, Any] | None:
    """The newest report of this process (None before it served a request)."""
    return _writer.own_report()


def drain(timeout: float = 5.0) -> bool:
    """Wait until this process's reports are in the cache (tests); False on timeout."""
    return _writer.drain(timeout)


listen_for_requests()
