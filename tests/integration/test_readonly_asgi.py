"""Read-only maintenance under a real ASGI server (uvicorn, PostgreSQL): the project's
``handler404``, which Django runs in another thread under ASGI, writes nothing."""

from __future__ import annotations

import http.client

import psycopg
import pytest

from tests.integration.machine import HOST, PG_PORT, free_port, installed
from tests.integration.servers import Server, Servers
from tests.integration.sites import Site


def uvicorn_read_only(site: Site, servers: Servers) -> Server:
    """uvicorn serving the demo with read-only maintenance forced by its settings."""
    port = free_port()
    server = Server(
        "uvicorn-read-only",
        [
            str(installed("uvicorn")),
            "demo.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        {**site.env(), "DJANGO_SETTINGS_MODULE": "tests.integration.readonly_site"},
        port,
        servers.logs,
    )
    servers.append(server)
    server.wait_ready()
    return server


def ask(port: int, method: str, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def entries(site: Site) -> int:
    with psycopg.connect(
        host=HOST, port=PG_PORT, user="postgres", dbname=site.database, connect_timeout=5
    ) as connection:
        row = connection.execute("SELECT count(*) FROM demo_guestbookentry").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_writing_not_found_page_writes_nothing_under_uvicorn(site, servers, method):
    server = uvicorn_read_only(site, servers)
    assert ask(server.port, "GET", "/")[0] == 200  # reads are served
    status, body = ask(server.port, method, "/no-such-page/")
    assert status == 503
    assert "Changes are paused" in body
    assert entries(site) == 0
