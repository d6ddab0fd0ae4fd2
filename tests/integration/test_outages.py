"""A running server keeps serving the maintenance page while PostgreSQL or Redis is
gone, and recovers without a restart once they are back."""

from __future__ import annotations

from tests.integration.machine import PG_PORT, REDIS_PORT
from tests.integration.outages import Forwarder
from tests.integration.servers import gunicorn
from tests.integration.timing import BOUND, TTL, hold, settle, wait_for

#: Long enough for every worker to re-validate its snapshot at least twice.
OUTAGE = 2 * TTL + 0.5
#: Recovering may take a failed attempt and a TTL more than propagating.
RECOVERY = BOUND + TTL + 1.0
#: After recovering, long enough for every worker to re-validate once more.
STAY = TTL + 0.2


def test_maintenance_page_survives_database_and_cache_outages(site, servers, operator, forwarders):
    database = Forwarder(PG_PORT)
    cache = Forwarder(REDIS_PORT)
    forwarders += [database, cache]
    server = gunicorn(site, servers, workers=2, pg_port=database.port, redis_port=cache.port)
    assert wait_for(server.port, 200, timeout=5) < 5

    settle(server, 503, operator.switch(True))

    database.cut()  # the state comes from the shared cache
    print(f"\nPostgreSQL cut: {hold(server, 503, OUTAGE)} answers, all 503")
    assert hold(server, 200, 0.5, path="/healthz")

    cache.cut()  # both gone: the last known snapshot
    print(f"PostgreSQL and Redis cut: {hold(server, 503, OUTAGE)} answers, all 503")

    database.restore()  # Redis still gone: the state comes from the database
    took = settle(server, 200, operator.switch(False), RECOVERY, STAY)
    print(f"PostgreSQL back, Redis cut: switched off, all 200 after {took:.2f}s")

    cache.restore()  # both back: changes travel through the cache again
    took = settle(server, 503, operator.switch(True), RECOVERY, STAY)
    print(f"both back: switched on, all 503 after {took:.2f}s")
    assert "Traceback" not in server.output()
