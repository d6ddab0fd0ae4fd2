"""Calling the shared cache without letting a cache that hangs hold requests up.

A cache server that accepts connections but never answers blocks its caller for the
cache client's own timeout (5 s for redis-py, or for ever with ``socket_timeout=None``),
on every call. Two rules bound what such a cache can cost, whatever that timeout is:

- **A time limit per call.** Every call this app makes to the shared cache
  (``MAINTENANCE_MODE_CACHE``) is made by one thread of the process, the *cache
  caller*, with a cache connection of its own; whoever asked waits for the answer at
  most its limit (:data:`REQUEST_LIMIT` on the request path). Only one call is on its
  way at a time: a call that did not answer in time keeps the cache caller busy until
  the client gives up, and nothing queues behind it.
- **Back-off.** After a call fails (an error, or no answer in time) the process does not
  call the cache again for :data:`FIRST_DELAY` seconds, then for twice as long after
  each further failure in a row, up to :data:`MAX_DELAY`. A call that answers in time
  ends it. Meanwhile :func:`call` raises :class:`BackingOff` at once and its callers do
  without the cache (the state is read from the database, a fleet report is skipped);
  only the first call after a delay has run out tries the cache.

A caller that may wait longer and must not skip the cache (a deploy script's ``--wait``,
an admin's write announcing itself) passes ``back_off=False``: it is not refused while
the process backs off, and it waits for a busy cache caller, both within its limit.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.utils.translation import gettext as _

from maintenance_panel import conf

Result = TypeVar("Result")

#: The longest a request waits for the shared cache (seconds). A healthy cache answers
#: in about a millisecond; a quarter of a second is what a fleet report may take to
#: reach the cache (``fleet.REPORT_DELAY``) and leaves room for a busy host.
REQUEST_LIMIT = 0.25
#: The first back-off delay (seconds): one ``MAINTENANCE_MODE_STATE_TTL`` by default.
FIRST_DELAY = 1.0
#: The longest back-off delay (seconds): a cache that hangs costs one request of each
#: process at most :data:`REQUEST_LIMIT` per 30 s (under 1% of one worker's time), and a
#: recovered cache is used again within 30 s (meanwhile the state comes from the
#: database, so changes still reach every process within the TTL).
MAX_DELAY = 30.0

#: The clock of the back-off (a module global; tests replace it).
monotonic = time.monotonic


class CacheUnavailable(Exception):
    """The shared cache was not asked, or did not answer in time."""


class NoAnswer(CacheUnavailable):
    """The shared cache did not answer within the caller's limit."""


class BackingOff(CacheUnavailable):
    """The shared cache failed recently: it is not asked again before the delay ends."""


class _Call:
    """One call on its way: the work, and its outcome once the cache caller is done."""

    def __init__(self, work: Callable[[Any], Any]) -> None:
        self.work = work
        self.done = threading.Event()
        self.value: Any = None
        self.error: Exception | None = None
        #: Its caller gave up waiting and counted it as a failure.
        self.given_up = False


class _Caller:
    """This process's cache caller: its thread, the call on its way, the back-off."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.condition = threading.Condition()
        self.calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.pending: _Call | None = None
        self.failures = 0
        self.retry_at = 0.0

    def _run(self) -> None:
        while True:
            pending = self.calls.get()
            try:
                pending.value = pending.work(caches[conf.cache_alias()])
            # Whatever the backend raises (redis, pymemcache, OSError...): handed to the
            # caller, who raises it.
            except Exception as exc:  # noqa: BLE001
                pending.error = exc
            with self.condition:
                self.pending = None
                pending.done.set()
                self.condition.notify_all()

    def submit(self, work: Callable[[Any], Any]) -> _Call:
        """Hand ``work`` to the thread (the condition held, nothing pending)."""
        pending = self.pending = _Call(work)
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="maintenance-panel-cache")
            self.thread.daemon = True
            self.thread.start()
        self.calls.put(pending)
        return pending

    def failed(self) -> None:
        """Count a failure and start (or lengthen) the back-off (the condition held)."""
        self.failures += 1
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** min(self.failures - 1, 30))
        self.retry_at = monotonic() + delay
        self.condition.notify_all()

    def succeeded(self) -> None:
        """End the back-off (the condition held)."""
        self.failures = 0
        self.retry_at = 0.0


_caller = _Caller()


def _this_process() -> _Caller:
    global _caller
    if _caller.pid != os.getpid():
        # A forked child: the thread (and a call on its way) stayed in the parent.
        _caller = _Caller()
    return _caller


def _refusal(caller: _Caller) -> BackingOff:
    return BackingOff(
        _("not asked: the cache failed recently (%(count)d in a row), next try in %(seconds).1f s")
        % {"count": caller.failures, "seconds": max(0.0, caller.retry_at - monotonic())}
    )


def _no_answer(limit: float) -> NoAnswer:
    return NoAnswer(_("the cache did not answer within %(seconds)g s") % {"seconds": limit})


def _start(caller: _Caller, work: Callable[[Any], Any], limit: float, back_off: bool) -> _Call:
    """Hand ``work`` to the cache caller once it is free (the condition held)."""
    deadline = time.monotonic() + limit
    while True:
        if back_off and monotonic() < caller.retry_at:
            raise _refusal(caller)
        pending = caller.pending
        if pending is None:
            return caller.submit(work)
        if back_off and (pending.given_up or caller.failures):
            # A call already given up on still waits for the cache, or another thread
            # is trying it after a failure: do not wait behind either.
            if pending.given_up:
                caller.failed()
            raise _refusal(caller)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not caller.condition.wait(remaining):
            raise _no_answer(limit)  # an earlier call still waits for its answer


def call(
    work: Callable[[Any], Result], *, limit: float | None = None, back_off: bool = True
) -> Result:
    """``work(cache)`` with the shared cache, made by the cache caller; its result.

    Waits at most ``limit`` seconds (default :data:`REQUEST_LIMIT`). Raises
    :class:`NoAnswer` when the cache did not answer in time, :class:`BackingOff`
    (without calling) while the process backs off and ``back_off`` is true, else what
    ``work`` raised. Each of these but :class:`BackingOff` counts as a failure; an
    answer in time ends the back-off.
    """
    if limit is None:
        limit = REQUEST_LIMIT
    caller = _this_process()
    deadline = time.monotonic() + limit
    with caller.condition:
        pending = _start(caller, work, limit, back_off)
    answered = pending.done.wait(max(0.0, deadline - time.monotonic()))
    with caller.condition:
        if answered and pending.error is None:
            caller.succeeded()
        else:
            pending.given_up = not answered
            caller.failed()
    if not answered:
        raise _no_answer(limit)
    if pending.error is not None:
        raise pending.error
    value: Result = pending.value
    return value


def backing_off() -> bool:
    """Whether the process backs off from the shared cache now."""
    return monotonic() < _this_process().retry_at


def reset() -> None:
    """Forget the back-off (tests). A call given up on that still waits for the cache
    is left to its thread, and the next call starts a thread of its own."""
    global _caller
    caller = _this_process()
    with caller.condition:
        if caller.pending is not None and caller.pending.given_up:
            _caller = _Caller()
        else:
            caller.succeeded()
