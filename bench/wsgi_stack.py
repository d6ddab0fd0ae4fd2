"""What the in-process WSGI benchmarks share: a handler with its own ``MIDDLEWARE``, the
environ of a request for the page, a scenario that serves it, and this app's switch.

Not run by itself: ``bench/overhead.py``, ``bench/fleet.py``, ``bench/lists.py`` and
``bench/readonly.py`` import it, once Django is set up with ``bench/site.py``'s
settings.
"""

from __future__ import annotations

import gc
import io
import sys
from collections.abc import Callable
from typing import Any

from bench.site import BASE_MIDDLEWARE


def make_handler(last: str | None) -> Any:
    """A WSGI handler with the demo's middleware stack, plus ``last`` at its end."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=[*BASE_MIDDLEWARE, *([last] if last else [])]):
        return WSGIHandler()


def environ(cookie: str = "") -> dict[str, Any]:
    """The environ of ``GET /`` from 127.0.0.1, with ``cookie`` if given."""
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


class Scenario:
    """One way of serving the page, with the status it must answer."""

    def __init__(
        self, name: str, handler: Any, env: dict[str, Any], status: str, maintenance: bool
    ) -> None:
        self.name = name
        self.handler = handler
        self.env = env
        self.status = status
        self.maintenance = maintenance
        self.times: list[float] = []

    def request(self) -> str:
        seen: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append(status)
            return None

        env = dict(self.env)
        env["wsgi.input"] = io.BytesIO(b"")
        response = self.handler(env, start_response)
        b"".join(response)
        response.close()  # what a WSGI server does: sends request_finished
        return seen[0]

    def check(self, requests: int) -> None:
        """Serves ``requests`` requests (a warm-up), each of which must answer the
        scenario's status."""
        for _ in range(requests):
            status = self.request()
            if status != self.status:
                raise SystemExit(f"{self.name}: got {status}, expected {self.status}")

    def time_batch(self, batch: int, timer: Callable[[], int]) -> None:
        """Serves ``batch`` requests after a garbage collection, timed with ``timer``
        (nanoseconds): their mean, in microseconds, joins ``times``."""
        request = self.request
        gc.collect()
        start = timer()
        for _ in range(batch):
            request()
        self.times.append((timer() - start) / batch / 1000)


def one_request(kind: type) -> tuple[Any, Any, Callable[[], None]]:
    """A middleware of class ``kind`` alone, in front of a view that answers at once,
    and a request for ``/`` already resolved: the middleware, the request, and one
    request through it (``process_view`` and ``__call__``; the request then forgets
    what was decided for it)."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from bench.site import page

    response = HttpResponse("page")
    middleware = kind(lambda request: response)
    request = RequestFactory().get("/")
    request.resolver_match = resolve("/")

    def one() -> None:
        middleware.process_view(request, page, (), {})
        middleware(request)
        request.__dict__.pop("_maintenance_panel_decided", None)

    return middleware, request, one


def set_maintenance(on: bool) -> None:
    """This app's switch as asked (no write unless it must change)."""
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    if config.enabled != on:
        config.enabled = on
        config.save()
