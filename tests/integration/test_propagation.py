"""A change made in one process reaches every worker of every server within the TTL."""

from __future__ import annotations

import random
import time

from tests.integration.asking import Answer, Load, load
from tests.integration.servers import Server, gunicorn, ready
from tests.integration.timing import BOUND, TTL, changed, poll

WORKERS = 2
#: After the bound, how long a worker that still answers the old state may take to be
#: seen doing so (the test then fails with the figure it measured).
OVERRUN = 5.0
CHANGES = ((True, 503), (False, 200), (True, 503), (False, 200))


def propagate(running: Load, servers: list[Server], expected: int, committed: float) -> float:
    """Seconds from the commit until the last answer that still showed the old state,
    once every worker of every server has answered ``expected`` after it and after the
    bound (so that an old answer up to the bound would have been seen)."""
    return changed(
        running,
        servers,
        expected,
        committed,
        after=committed + BOUND,
        deadline=committed + BOUND + OVERRUN,
    )


def steady(answers: dict[int, list[Answer]], spans: list[tuple[float, float, int]]) -> None:
    """Every request sent from ``start`` and answered before ``end`` was answered
    ``status``, for each span ``(start, end, status)``."""
    for start, end, status in spans:
        within = [
            a for port in answers for a in answers[port] if start <= a.sent and a.received < end
        ]
        statuses = {answer.status for answer in within}
        assert statuses <= {status}, f"between changes, {status} expected: {sorted(statuses)}"


def test_change_reaches_every_worker_of_both_servers(site, servers, operator):
    both = [gunicorn(site, servers, workers=WORKERS, wait=False) for _ in range(2)]
    ready(*both)
    for answers in poll(both, 0.3).values():
        assert {answer.status for answer in answers} == {200}

    # The servers are busy answering all along, and each change comes at a random
    # moment of the workers' TTL cycles, as a real change would (an idle worker
    # re-validates on its next request, which would make propagation look instant).
    # Between changes, every answer must show the state of the last one.
    spans: list[tuple[float, float, int]] = []
    with load(both) as running:
        status, settled = 200, time.time()
        for on, expected in CHANGES:
            time.sleep(random.uniform(0, TTL))
            spans.append((settled, time.time(), status))
            committed = operator.switch(on)
            took = propagate(running, both, expected, committed)
            status, settled = expected, time.time()
            asked = sum(a.sent >= committed for port in running.now().values() for a in port)
            print(
                f"\nmaintenance {'on ' if on else 'off'}: every worker of 2 servers x "
                f"{WORKERS} workers answered {expected} {took:.3f}s after the commit "
                f"(TTL {TTL}s, bound {BOUND}s, {asked} requests)"
            )
            assert took <= BOUND
        time.sleep(TTL / 2)
        spans.append((settled, time.time(), status))
    steady(running.answers, spans)
