"""The demo under gunicorn with DEBUG off serves the admin's static files (WhiteNoise)."""

from __future__ import annotations

import http.client

from tests.integration.machine import HOST
from tests.integration.servers import Servers, gunicorn
from tests.integration.sites import Site


def fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_admin_css_is_served_under_gunicorn(site: Site, servers: Servers) -> None:
    server = gunicorn(site, servers, workers=1)

    status, headers, body = fetch(server.port, "/static/admin/css/base.css")
    assert status == 200, server.output()
    assert headers["Content-Type"].startswith("text/css")
    assert b"--breadcrumbs-bg" in body

    status, _, body = fetch(server.port, "/static/maintenance_panel/admin/panel.css")
    assert status == 200
    assert b".mp-status" in body

    status, _, _ = fetch(server.port, "/static/admin/css/no-such-file.css")
    assert status == 404
