"""The same middleware under an ASGI server gives the same answers."""

from __future__ import annotations

from tests.integration.asking import get
from tests.integration.servers import uvicorn
from tests.integration.timing import BOUND, wait_for


def test_uvicorn_serves_the_same_answers(site, servers, operator):
    server = uvicorn(site, servers)
    assert get(server.port, "/").status == 200
    assert get(server.port, "/about/").status == 200

    operator.switch(True)
    wait_for(server.port, 503, timeout=BOUND)
    response = get(server.port, "/")
    assert response.status == 503
    assert response.getheader("Retry-After") == "3600"
    assert "no-store" in response.getheader("Cache-Control", "")
    assert get(server.port, "/healthz").status == 200  # exempt URL
    assert get(server.port, "/about/").status == 200  # force_maintenance_mode_off

    operator.switch(False)
    wait_for(server.port, 200, timeout=BOUND)
    assert get(server.port, "/healthz").status == 200
