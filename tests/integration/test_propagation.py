"""A change made in one process reaches every worker of every server within the TTL."""

from __future__ import annotations

import random
import threading
import time

from tests.integration.conftest import (
    BOUND,
    TTL,
    Answer,
    Operator,
    ask,
    gunicorn,
    poll,
    workers_of,
)

WORKERS = 2


def propagation(
    answers: dict[int, list[Answer]], committed: float, expected: int, workers: dict[int, set[str]]
) -> float:
    """Seconds from the commit until the last answer that still showed the old state;
    checks that afterwards every worker of every server answered the new one."""
    after = [answer for port in answers for answer in answers[port] if answer.sent >= committed]
    assert {answer.status for answer in after} <= {200, 503}, "a server answered an error"
    stale = [answer.received for answer in after if answer.status != expected]
    settled = max(stale, default=committed)
    for port, port_answers in answers.items():
        fresh = {a.worker for a in port_answers if a.sent > settled and a.status == expected}
        assert fresh >= workers[port], (
            f"server :{port}: workers {sorted(workers[port] - fresh)} never answered "
            f"{expected} after the change"
        )
    return settled - committed


def switch_under_load(
    operator: Operator, on: bool, ports: list[int]
) -> tuple[dict[int, list[Answer]], float]:
    """Switch while the servers are busy answering: at a random moment of the workers'
    TTL cycles, as a real change would come (an idle worker re-validates on its next
    request, which would make propagation look instant)."""
    committed: list[float] = []
    switcher = threading.Timer(
        random.uniform(0.2, 0.2 + TTL), lambda: committed.append(operator.switch(on))
    )
    switcher.start()
    answers: dict[int, list[Answer]] = {port: [] for port in ports}
    try:
        while not committed or time.time() < committed[0] + BOUND + 0.5:
            assert switcher.is_alive() or committed, "the operator failed"
            for port in ports:
                answers[port].append(ask(port))
    finally:
        switcher.cancel()
        switcher.join(timeout=60)
    return answers, committed[0]


def test_change_reaches_every_worker_of_both_servers(site, servers, operator):
    first = gunicorn(site, servers, workers=WORKERS)
    second = gunicorn(site, servers, workers=WORKERS)
    ports = [first.port, second.port]
    workers = {server.port: workers_of(server, WORKERS) for server in (first, second)}
    assert {answer.status for answer in poll(ports, time.time() + 0.3)[first.port]} == {200}

    for on, expected in ((True, 503), (False, 200), (True, 503), (False, 200)):
        answers, committed = switch_under_load(operator, on, ports)
        took = propagation(answers, committed, expected, workers)
        asked = sum(len(a) for a in answers.values())
        print(
            f"\nmaintenance {'on ' if on else 'off'}: every worker of 2 servers x "
            f"{WORKERS} workers answered {expected} {took:.3f}s after the commit "
            f"(TTL {TTL}s, bound {BOUND}s, {asked} requests)"
        )
        assert took <= BOUND
