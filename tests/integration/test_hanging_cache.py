"""A cache that accepts connections and never answers: gunicorn on PostgreSQL keeps
answering every request with the state from the database instead of waiting for the
Redis client's 5 s timeout, and ``off --wait --timeout 3`` gives up at its timeout,
saying the cache did not answer, with the change saved."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from tests.integration.asking import get
from tests.integration.machine import PYTHON, ROOT
from tests.integration.outages import HangingServer
from tests.integration.servers import Server, gunicorn
from tests.integration.sites import Site
from tests.integration.timing import BOUND, hold, wait_for

#: redis-py's socket timeout (the demo leaves it at its default): what each request
#: waited for on every re-validation before.
CLIENT_TIMEOUT = 5.0
#: Each request's own deadline, well below the client's timeout.
DEADLINE = 2.0
#: How long requests are asked while the cache hangs (two at a time, one per worker):
#: each worker tries the cache again 1, 2 and 4 s after its first failure.
SECONDS = 8.0
#: ``--timeout`` of the deploy script's wait.
WAIT_TIMEOUT = 3


def manage(site: Site, hanging: HangingServer, *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py maintenance_mode ARGS`` with the cache at the hanging server; fails
    if it has not ended when the client's timeout would have ended a second cache call
    (the switch's announcement and the wait's first read each waited for it before)."""
    return subprocess.run(
        [PYTHON, "manage.py", "maintenance_mode", *args],
        cwd=ROOT,
        env=site.env(redis_port=hanging.port),
        capture_output=True,
        text=True,
        timeout=2 * CLIENT_TIMEOUT,
    )


def ask_for(server: Server, seconds: float) -> list[int | str]:
    """Requests for ``seconds``, two at a time, each given :data:`DEADLINE` seconds:
    each status, or the error of a request that was not answered in time."""
    end = time.monotonic() + seconds

    def some() -> list[int | str]:
        answers: list[int | str] = []
        while time.monotonic() < end:
            try:
                answers.append(get(server.port, "/", timeout=DEADLINE).status)
            except OSError as exc:
                answers.append(f"{type(exc).__name__}: {exc}")
        return answers

    with ThreadPoolExecutor(max_workers=2) as pool:
        both = [pool.submit(some) for _ in range(2)]
        return [answer for future in both for answer in future.result()]


def test_a_hanging_cache_neither_stalls_requests_nor_the_deploy_script(site, servers):
    hanging = HangingServer()
    try:
        server = gunicorn(site, servers, workers=2, redis_port=hanging.port)
        switched = manage(site, hanging, "on")
        assert switched.returncode == 0, switched.stderr
        assert "Maintenance mode is ON" in switched.stdout
        time.sleep(BOUND)  # every worker's next request reads the change (from PostgreSQL)

        answers = ask_for(server, SECONDS)
        late = [answer for answer in answers if answer != 503]
        assert not late, f"{len(late)} of {len(answers)} not answered 503: {late[:3]}"
        assert hanging.accepted >= 2  # each worker did try the cache
        print(f"\ncache hanging: {len(answers)} requests in {SECONDS:g} s, all 503 in time")

        started = time.monotonic()
        waited = manage(site, hanging, "off", "--wait", "--timeout", str(WAIT_TIMEOUT))
        took = time.monotonic() - started
        assert waited.returncode == 1, waited.stdout + waited.stderr
        assert "Maintenance mode is OFF" in waited.stdout  # the switch is saved...
        assert f"the cache did not answer within {WAIT_TIMEOUT} s" in waited.stderr
        assert "the change itself is saved" in waited.stderr
        print(f"off --wait --timeout {WAIT_TIMEOUT}: failed after {took:.1f} s")

        assert wait_for(server.port, 200, timeout=5) < 5  # ...and every worker reads it
        hold(server, 200, 1.0)
        assert "Traceback" not in server.output()
    finally:
        hanging.stop()
