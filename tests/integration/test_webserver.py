"""The web server's copy of the page: nginx in front of a stopped backend serves the
maintenance page that the last change wrote (MAINTENANCE_MODE_STATIC_PAGE), with 503."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.machine import HOST, PYTHON, ROOT, free_port, unavailable
from tests.integration.sites import Site

#: The nginx part of docs/deploying.md, with the test's ports and folders.
NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{ text/html html; }}

    server {{
        listen {host}:{port};

        location / {{
            proxy_pass http://{host}:{backend};
            proxy_connect_timeout 2s;
            error_page 502 503 504 =503 /maintenance.html;
        }}

        location = /maintenance.html {{
            internal;
            root {pages};
            try_files /503.html =503;
            add_header Retry-After 120 always;
            add_header Cache-Control "no-store" always;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)),
        None,
    )
    if found is None:
        unavailable("nginx is not installed (apt-get install nginx)")
    assert found is not None
    return found


@pytest.fixture
def pages() -> Iterator[Path]:
    """A folder the web server's user may read (pytest's own temporary folders are
    private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="maintenance-pages-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def nginx(tmp_path: Path, pages: Path) -> Iterator[int]:
    """nginx on a free port, in front of a port where nothing listens: the app is down."""
    binary = nginx_binary()
    port, backend = free_port(), free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    config = prefix / "nginx.conf"
    config.write_text(
        NGINX_CONF.format(prefix=prefix, host=HOST, port=port, backend=backend, pages=pages)
    )
    process = subprocess.Popen(
        [
            binary,
            "-p",
            str(prefix),
            "-c",
            str(config),
            "-e",
            str(prefix / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"nginx exited at once:\n{output}")
            try:
                http.client.HTTPConnection(HOST, port, timeout=1).connect()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def manage(site: Site, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", "maintenance_mode", *args],
        cwd=ROOT,
        env={**site.env(), "DEMO_STATIC_PAGE": str(page)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def visit(port: int, path: str = "/") -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_nginx_serves_the_page_of_the_last_change_with_503_while_the_app_is_down(
    site, pages, nginx
):
    page = pages / "503.html"
    switched = manage(
        site, page, "on", "--title", "Upgrading the shop", "--message", "Back by 3 o'clock"
    )
    assert switched.returncode == 0, switched.stderr
    assert page.exists(), "the change did not write MAINTENANCE_MODE_STATIC_PAGE"

    status, headers, body = visit(nginx, "/products/42/")
    assert status == 503
    assert "Upgrading the shop" in body
    assert "Back by 3 o&#x27;clock" in body
    assert headers["Retry-After"] == "120"
    assert "no-store" in headers["Cache-Control"]

    # The next change rewrites the file; nginx serves the new text at once.
    retitled = manage(site, page, "on", "--title", "Almost done")
    assert retitled.returncode == 0, retitled.stderr
    status, _, body = visit(nginx)
    assert status == 503
    assert "Almost done" in body
    assert "Upgrading the shop" not in body


def test_render_prepares_the_page_before_maintenance_is_on(site, pages, nginx):
    page = pages / "503.html"
    rendered = manage(site, page, "render", "--output", str(page))
    assert rendered.returncode == 0, rendered.stderr
    status, _, body = visit(nginx)
    assert status == 503
    assert "<!doctype html>" in body.lower()
