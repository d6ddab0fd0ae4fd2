"""Real components: the demo site under gunicorn and uvicorn, on PostgreSQL and Redis.

These tests start servers as subprocesses on free ports of 127.0.0.1, each against a
PostgreSQL database of its own (created, migrated, dropped) and its own key prefix in
Redis. They are marked ``services``; the README's test command runs them on their own,
after the rest, so that their timing bounds are not measured against a busy machine::

    .venv/bin/pytest -m services -s

They skip, saying why, where PostgreSQL, Redis, gunicorn or uvicorn is unreachable;
with ``CI=true`` that is a failure instead, so CI cannot pass without running them.
Every subprocess and forwarder is stopped when its test ends, also when it fails.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.asking import Answer, Load, ask, load
from tests.integration.machine import (
    HOST,
    PG_PORT,
    REDIS_PORT,
    reachable,
    unavailable,
)
from tests.integration.outages import Forwarder
from tests.integration.servers import Server, Servers
from tests.integration.sites import Site, create_database, drop_database, forget_keys, migrate
from tests.integration.switching import Operator

#: The demo's MAINTENANCE_MODE_STATE_TTL (the default).
TTL = 1.0
BOUND = TTL + 0.5


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.services)


# -- PostgreSQL and Redis ----------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated() -> Iterator[str]:
    """A database migrated once for the session, which each test's database copies
    (migrating takes a Python process and seconds; a copy takes a fraction of one)."""
    if not reachable(PG_PORT):
        unavailable(f"PostgreSQL is not reachable at {HOST}:{PG_PORT}")
    if not reachable(REDIS_PORT):
        unavailable(f"Redis is not reachable at {HOST}:{REDIS_PORT}")
    try:
        import psycopg  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        unavailable(f"{exc.name} is not installed")
    name = f"mp_it_tpl_{uuid.uuid4().hex[:12]}"
    template = Site(database=name, prefix=f"mp-it-{name}")
    create_database(template.database)
    try:
        migrate(template)
        yield template.database
    finally:
        drop_database(template.database)
        forget_keys(template.prefix)


@pytest.fixture
def site(migrated: str) -> Iterator[Site]:
    """A fresh, migrated database and key prefix; dropped afterwards."""
    name = f"mp_it_{uuid.uuid4().hex[:12]}"
    create_database(name, template=migrated)
    site = Site(database=name, prefix=f"mp-it-{name}")
    try:
        yield site
    finally:
        drop_database(name)
        forget_keys(site.prefix)


# -- servers ---------------------------------------------------------------------------


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Started servers, all stopped when the test ends."""
    started = Servers(tmp_path)
    yield started
    for server in started:
        server.terminate()  # all at once: each takes a moment to shut down
    for server in started:
        server.stop()


# -- the operator: a separate process that switches maintenance mode ---------------------


@pytest.fixture
def operator(site: Site) -> Iterator[Operator]:
    """The operator of the test's site, stopped when the test ends."""
    operator = Operator(site)
    yield operator
    operator.stop()


# -- a TCP forwarder that the test can cut ----------------------------------------------


@pytest.fixture
def forwarders() -> Iterator[list[Forwarder]]:
    """The test's forwarders (it adds them), each cut when the test ends."""
    made: list[Forwarder] = []
    yield made
    for forwarder in made:
        forwarder.cut()


# -- polling -------------------------------------------------------------------------------


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
