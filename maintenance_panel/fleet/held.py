"""Counting held background work per name, in the shared cache, off the hot path.

Each time a piece of work is held (a task retried, a command that exits with status
75), :func:`record_held` puts its name on a queue: no I/O where the work is held. A
thread of the process adds the counts to the shared cache through
:mod:`maintenance_panel.cache_calls` (given ``REPORT_DELAY`` to answer, and skipped while
the process backs off from a failing cache), as the fleet reports are written.

In the cache, names and counts are kept apart so that processes never overwrite each
other: a name claims one of :data:`NAME_SLOTS` slots with an atomic ``add`` (as a fleet
report claims its slot), and each minute's count of a name is its own key, grown with
``incr``. :func:`read_held_counts` adds up the last hour. With a process-local cache
(LocMem) each process counts only what it held itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
import zlib
from collections import Counter
from typing import Any

from maintenance_panel import cache_calls
from maintenance_panel.fleet.reading import ReportsUnavailable
from maintenance_panel.fleet.reports import REPORT_DELAY
from maintenance_panel.versions import CACHE_ERRORS

logger = logging.getLogger("maintenance_panel")

#: How many names can be counted at once (over the last hour).
NAME_SLOTS = 64
NAME_KEY = "maintenance_panel:held:v1:name:%d"
#: A name's count in one minute: (minute since the epoch, digest of the name).
COUNT_KEY = "maintenance_panel:held:v1:count:%d:%s"
#: The counts cover this many seconds (the last hour).
WINDOW = 3600
#: How long the keys are kept: the window and a little more.
KEEP = WINDOW + 120


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _claim_name(cache: Any, name: str) -> None:
    """Make sure ``name`` holds a slot for the next hour."""
    start = zlib.crc32(name.encode("utf-8", "surrogatepass")) % NAME_SLOTS
    for step in range(NAME_SLOTS):
        key = NAME_KEY % ((start + step) % NAME_SLOTS)
        if cache.add(key, name, KEEP):
            return
        if cache.get(key) == name:
            cache.set(key, name, KEEP)
            return
    logger.warning("maintenance_panel: all %d held-work name slots are taken", NAME_SLOTS)


def _store(cache: Any, counts: Counter[tuple[int, str]]) -> None:
    for name in {name for _, name in counts}:
        _claim_name(cache, name)
    for (minute, name), count in counts.items():
        key = COUNT_KEY % (minute, _digest(name))
        if cache.add(key, count, KEEP):
            continue
        try:
            cache.incr(key, count)
        except ValueError:  # expired between the two calls
            cache.set(key, count, KEEP)


class _Counter:
    """Adds this process's held work to the cache from a thread of its own."""

    def __init__(self) -> None:
        self.pid = 0
        self.queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self.lock = threading.Lock()
        self.failing = False

    def _start(self) -> None:
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid != os.getpid():  # first use, or a forked child (no threads)
                self.queue = queue.Queue()
                self.pid = os.getpid()
                threading.Thread(
                    target=self._run, name="maintenance-panel-held", daemon=True
                ).start()

    def put(self, name: str) -> None:
        self._start()
        self.queue.put((name, int(time.time() // 60)))

    def _run(self) -> None:
        current = self.queue
        while True:
            counts: Counter[tuple[int, str]] = Counter()
            name, minute = current.get()
            counts[minute, name] += 1
            while True:
                try:
                    name, minute = current.get_nowait()
                except queue.Empty:
                    break
                counts[minute, name] += 1
            try:
                self._write(counts)
            finally:
                for _ in range(counts.total()):
                    current.task_done()

    def _write(self, counts: Counter[tuple[int, str]]) -> None:
        try:
            cache_calls.call(lambda cache: _store(cache, counts), limit=REPORT_DELAY)
        except CACHE_ERRORS as exc:
            if not self.failing:
                self.failing = True
                logger.warning("maintenance_panel: cannot count held work: %s", exc)
            return
        self.failing = False

    def drain(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True


_counter = _Counter()


def record_held(name: str) -> None:
    """Count one piece of work called ``name`` as held now (a queue put, no I/O)."""
    _counter.put(name)


def drain(timeout: float = 1.0) -> bool:
    """Wait until the counts recorded so far are in the cache (a process about to exit,
    tests); False on timeout."""
    return _counter.drain(timeout)


def read_held_counts(*, limit: float | None = None) -> dict[str, int]:
    """How many pieces of work were held per name over the last hour, most held first.

    Raises :class:`~maintenance_panel.fleet.ReportsUnavailable` when the cache cannot be
    read within ``limit`` seconds.
    """
    now = int(time.time() // 60)
    minutes = range(now - WINDOW // 60 + 1, now + 1)

    def read(cache: Any) -> dict[str, int]:
        names = {n for n in cache.get_many([NAME_KEY % s for s in range(NAME_SLOTS)]).values()}
        keys = {COUNT_KEY % (m, _digest(name)): name for name in names for m in minutes}
        totals: Counter[str] = Counter()
        for key, count in cache.get_many(list(keys)).items():
            totals[keys[key]] += int(count)
        return dict(totals.most_common())

    try:
        return cache_calls.call(read, limit=limit)
    except CACHE_ERRORS as exc:
        raise ReportsUnavailable(str(exc) or type(exc).__name__) from exc
