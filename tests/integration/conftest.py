"""Real components: the demo site under gunicorn and uvicorn, on PostgreSQL and Redis.

These tests start servers as subprocesses on free ports of 127.0.0.1, each against a
PostgreSQL database of its own (created, migrated, dropped) and its own key prefix in
Redis. They are marked ``services``; the README's test command runs them on their own,
after the rest, so that their timing bounds are not measured against a busy machine::

    .venv/bin/pytest -m services -s

They skip, saying why, where PostgreSQL, Redis, gunicorn or uvicorn is unreachable;
with ``CI=true`` that is a failure instead, so CI cannot pass without running them.
Every subprocess and forwarder is stopped when its test ends, also when it fails.

This module holds the pytest hook and the fixtures; the tests' helpers are in

- ``machine``: the checkout, the ports, and skipping (or failing) when one is missing;
- ``sites``: each test's database and Redis key prefix;
- ``servers``: starting and stopping gunicorn and uvicorn;
- ``switching``: the operator, a separate process that switches maintenance mode;
- ``asking``: requests, every worker at once, and a steady load;
- ``outages``: a forwarder that cuts PostgreSQL or Redis away, and a cache that hangs;
- ``timing``: the TTL and its bound, waiting and measuring against them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.machine import HOST, PG_PORT, REDIS_PORT, reachable, unavailable
from tests.integration.outages import Forwarder
from tests.integration.servers import Servers
from tests.integration.sites import Site, create_database, drop_database, forget_keys, migrate
from tests.integration.switching import Operator


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``services``."""
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.services)


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


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Started servers, all stopped when the test ends."""
    started = Servers(tmp_path)
    yield started
    for server in started:
        server.terminate()  # all at once: each takes a moment to shut down
    for server in started:
        server.stop()


@pytest.fixture
def operator(site: Site) -> Iterator[Operator]:
    """The operator of the test's site, stopped when the test ends."""
    operator = Operator(site)
    yield operator
    operator.stop()


@pytest.fixture
def forwarders() -> Iterator[list[Forwarder]]:
    """The test's forwarders (it adds them), each cut when the test ends."""
    made: list[Forwarder] = []
    yield made
    for forwarder in made:
        forwarder.cut()
