"""Window events with two gunicorn servers on Redis: a window that opens and closes while
no request comes is told once for the whole fleet, signed, to a real HTTP receiver, and
is not lost when the process that claimed it dies before storing it."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from maintenance_panel.notifications import noticing
from maintenance_panel.windows import Window
from tests.integration.asking import by_worker
from tests.integration.machine import HOST, PYTHON, REDIS_DB, REDIS_PORT, ROOT
from tests.integration.servers import Server, Servers, gunicorn, ready
from tests.integration.sites import Site
from tests.integration.timing import BOUND
from tests.receiver import Receiver, running

SECRET = "integration-secret"
#: How long after the servers serve the new window it opens, and how long it lasts.
OPENS_IN = 4.0
LASTS = 4.0
#: A boundary must reach the receiver within this after its moment (the noticing
#: thread wakes at the moment; storing and sending take a fraction of a second).
NOTICED_WITHIN = 3.0

SET_WINDOW = """
from datetime import datetime, UTC
from maintenance_panel.core import set_maintenance_mode
set_maintenance_mode(
    True,
    start=datetime.fromtimestamp({start}, UTC),
    end=datetime.fromtimestamp({end}, UTC),
    title="Database upgrade",
)
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running() as receiver:
        yield receiver


def notify_env(receiver: Receiver) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.integration.notify_site",
        "NOTIFY_WEBHOOK_URL": f"{receiver.url}/hook",
        "NOTIFY_WEBHOOK_SECRET": SECRET,
    }


def set_window(site: Site, receiver: Receiver, start: float, end: float) -> None:
    """Switch on with a window, from a process of its own (as a deploy script would)."""
    script = SET_WINDOW.format(start=start, end=end)
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-v", "0", "-c", script],
        cwd=ROOT,
        env={**site.env(), **notify_env(receiver)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def two_servers(site: Site, servers: Servers, receiver: Receiver) -> list[Server]:
    started = [gunicorn(site, servers, env=notify_env(receiver), wait=False) for _ in range(2)]
    ready(*started)
    return started


def every_worker_reads_the_state(started: list[Server]) -> None:
    """One request to each worker after the TTL: each installs the new state (the last
    requests the test sends; the boundaries come later, with no request)."""
    time.sleep(BOUND)
    for server in started:
        by_worker(server, pids=server.pids)


def events(receiver: Receiver, event: str) -> list[dict[str, object]]:
    """The documents of ``event`` received so far, each checked against its signature."""
    found = []
    with receiver.arrived:
        received = list(receiver.received)
    for each in received:
        document = json.loads(each.body)
        if document["event"] != event:
            continue
        expected = hmac.new(SECRET.encode(), each.body, hashlib.sha256).hexdigest()
        assert each.headers["X-Maintenance-Signature"] == f"sha256={expected}"
        found.append(document)
    return found


def wait_for_event(receiver: Receiver, event: str, until: float) -> list[dict[str, object]]:
    while time.time() < until and not events(receiver, event):
        time.sleep(0.05)
    return events(receiver, event)


def window_moments() -> tuple[float, float]:
    start = float(int(time.time() + BOUND + OPENS_IN + 2))  # whole seconds: stored exactly
    return start, start + LASTS


def test_two_servers_send_each_window_event_once(site, servers, receiver):
    started = two_servers(site, servers, receiver)
    start, end = window_moments()
    set_window(site, receiver, start, end)
    every_worker_reads_the_state(started)
    assert time.time() < start - 1, "the setup took longer than the window's lead"

    opened = wait_for_event(receiver, "window_opened", start + NOTICED_WITHIN)
    closed = wait_for_event(receiver, "window_closed", end + NOTICED_WITHIN)
    time.sleep(noticing.RETRY + 1)  # a second sender would have sent by now

    assert len(events(receiver, "window_opened")) == len(opened) == 1
    assert len(events(receiver, "window_closed")) == len(closed) == 1
    starts_at = datetime.fromtimestamp(start, UTC).isoformat()
    assert opened[0]["starts_at"] == closed[0]["starts_at"] == starts_at
    assert opened[0]["at"] == starts_at
    assert opened[0]["active"] is True
    assert closed[0]["active"] is False
    assert opened[0]["title"] == "Database upgrade"


def claim_as_a_dead_process(site: Site, start: float, end: float, lease: float) -> None:
    """What a process leaves that claimed the window's opening and died before storing
    it: a claim in Redis for the rest of its lease, and no row."""
    import redis

    window = Window(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
    # Django's Redis cache: "<prefix>:<version>:<key>", values pickled.
    key = f"{site.prefix}:1:" + noticing.CLAIM_KEY % f"window_opened|{window.key()}"
    client = redis.Redis(host=HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        assert client.set(key, pickle.dumps("died-before-storing"), px=int(lease * 1000))
    finally:
        client.close()


def test_a_claim_left_by_a_dead_process_runs_out_and_the_event_goes_out(site, servers, receiver):
    started = two_servers(site, servers, receiver)
    start, end = window_moments()
    end += 2 * noticing.RETRY  # the window outlasts the dead claim
    set_window(site, receiver, start, end)
    lease_ends = start + 3.0
    claim_as_a_dead_process(site, start, end, lease_ends - time.time())
    every_worker_reads_the_state(started)

    early = wait_for_event(receiver, "window_opened", lease_ends - 0.2)
    opened = wait_for_event(receiver, "window_opened", lease_ends + noticing.RETRY + NOTICED_WITHIN)
    time.sleep(noticing.RETRY + 1)

    assert early == []  # held by the claim while it lasted
    assert len(opened) == 1
    assert len(events(receiver, "window_opened")) == 1
