"""A repeated window on real servers: with nothing saved after the rule, every worker of
a gunicorn server on PostgreSQL and Redis puts the site under maintenance when an
occurrence opens and brings it back when it closes, telling visitors how long to wait."""

from __future__ import annotations

import subprocess
import time

from tests.integration.asking import get
from tests.integration.machine import PYTHON, ROOT
from tests.integration.servers import gunicorn
from tests.integration.timing import TTL

#: A window in the first half of every minute: a boundary every 30 seconds.
EVERY_MINUTE = "FREQ=HOURLY;BYMINUTE=" + ",".join(str(minute) for minute in range(60))
OPEN_FOR = 30
#: How long the test watches: from this long before a boundary to as long after it.
AROUND = 10


def test_every_worker_follows_the_rules_windows_without_a_save(site, servers):
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "maintenance_mode",
            "on",
            "--every",
            EVERY_MINUTE,
            "--for",
            f"{OPEN_FOR}s",
        ],
        cwd=ROOT,
        env=site.env(),
        check=True,
        capture_output=True,
    )
    server = gunicorn(site, servers, workers=2)
    seen: list[tuple[float, int, str | None]] = []
    # Watch from AROUND seconds before the next boundary (the end of an occurrence or
    # the start of the next one) to AROUND seconds after it: both sides are seen.
    time.sleep((OPEN_FOR - AROUND - time.time() % OPEN_FOR) % OPEN_FOR)
    deadline = time.time() + 2 * AROUND
    while time.time() < deadline:
        sent = time.time()
        response = get(server.port)
        seen.append((sent, response.status, response.getheader("Retry-After")))
        time.sleep(0.2)
    into_minute = [(sent % 60, status, retry) for sent, status, retry in seen]
    # Clear of the boundaries by the TTL (a worker trusts its snapshot that long) and a
    # margin for the request's own time, every answer is the window's.
    margin = TTL + 0.5
    inside = [a for a in into_minute if margin <= a[0] <= OPEN_FOR - margin]
    outside = [a for a in into_minute if OPEN_FOR + margin <= a[0] <= 60 - margin]
    assert inside
    assert outside
    assert {status for _, status, _ in inside} == {503}
    assert {status for _, status, _ in outside} == {200}
    for second, _, retry in inside:
        # Retry-After counts down to the end of the occurrence.
        assert retry is not None
        assert abs(int(retry) - (OPEN_FOR - second)) <= 2
