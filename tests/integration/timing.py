"""Timing: the TTL and the bound a change must reach every worker within, and the
waits and measures against them: answers over a while (poll), the first answer of a
status (wait_for), only one status for a while (hold), and every worker answering the
new state after a change committed (changed, settle)."""

from __future__ import annotations

import time

from tests.integration.asking import Answer, Load, ask, load
from tests.integration.servers import Server

#: The demo's MAINTENANCE_MODE_STATE_TTL (the default).
TTL = 1.0
#: The longest a change may take to reach every worker: the TTL, and half a second.
BOUND = TTL + 0.5


def poll(servers: list[Server], seconds: float, path: str = "/") -> dict[int, list[Answer]]:
    """The answers, by port, of a :class:`Load` on ``servers`` for ``seconds``."""
    with load(servers, path) as running:
        time.sleep(seconds)
    return running.answers


def wait_for(port: int, status: int, timeout: float, path: str = "/") -> float:
    """Seconds until ``port`` answers ``status``; fails after ``timeout``."""
    start = time.time()
    seen = []
    while time.time() - start < timeout:
        answer = ask(port, path)
        seen.append(answer.status)
        if answer.status == status:
            return answer.received - start
    raise AssertionError(f"no {status} within {timeout}s; answers: {sorted(set(seen))}")


def hold(server: Server, status: int, seconds: float, path: str = "/") -> int:
    """Under load for ``seconds``, every answer is ``status`` and every worker answered;
    returns how many were asked."""
    answers = poll([server], seconds, path)[server.port]
    statuses = {answer.status for answer in answers}
    assert statuses == {status}, f"expected only {status}, got {sorted(statuses)}"
    silent = server.pids - {answer.worker for answer in answers}
    assert not silent, f"workers {sorted(silent)} did not answer in {seconds}s"
    return len(answers)


def last_other(answers: dict[int, list[Answer]], status: int, committed: float) -> float:
    """When the last answer other than ``status`` among those sent since ``committed``
    was received (``committed`` if none); an answer that is neither 200 nor 503 fails."""
    since = [answer for port in answers for answer in answers[port] if answer.sent >= committed]
    assert {answer.status for answer in since} <= {200, 503}, "a server answered an error"
    return max((a.received for a in since if a.status != status), default=committed)


def changed(
    running: Load,
    servers: list[Server],
    status: int,
    committed: float,
    *,
    after: float,
    deadline: float,
) -> float:
    """Wait until every worker of ``servers`` has answered ``status`` (to a request sent
    after the last other answer and after ``after``) under ``running``, a change having
    committed at ``committed``; fail at ``deadline`` (all ``time.time()``). Returns when
    the last other answer was received, in seconds after the commit (0 if none)."""
    while True:
        answers = running.now()
        settled = last_other(answers, status, committed)
        since = max(settled, after)
        missing = {
            server.port: sorted(
                server.pids
                - {a.worker for a in answers[server.port] if a.sent > since and a.status == status}
            )
            for server in servers
        }
        if not any(missing.values()):
            return settled - committed
        if time.time() > deadline:
            raise AssertionError(
                f"by port, workers that did not answer {status} after "
                f"+{since - committed:.3f}s: {missing}"
            )
        time.sleep(0.02)


def settle(
    server: Server, status: int, committed: float, bound: float = BOUND, stay: float = 0.0
) -> float:
    """Under load after a change committed at ``committed``: every worker of ``server``
    answers ``status`` within ``bound`` seconds, then every answer for ``stay`` seconds
    more is ``status``. Returns when the last other answer was received (seconds after
    the commit; 0 if none)."""
    with load([server]) as running:
        took = changed(
            running, [server], status, committed, after=committed, deadline=committed + bound
        )
    assert took <= bound, f"an answer other than {status} came {took:.3f}s after the commit"
    if stay:
        hold(server, status, stay)
    return took
