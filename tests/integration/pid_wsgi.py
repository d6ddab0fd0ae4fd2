"""The demo's WSGI application, telling which worker process answered.

Each response names its worker (``X-Worker``: the pid). A request that sends
``X-Hold: SECONDS`` keeps its worker busy that long before the demo answers it. A
gunicorn sync worker takes one connection at a time, and the worker that has just
answered is the likeliest to accept the next one, so requests sent one after another
may all go to the same worker; requests held at the same time go to different workers,
which is how the tests reach every worker.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from demo.wsgi import application as demo_application

#: The longest hold honoured: a stray header must not stall a worker for long.
MAX_HOLD = 5.0

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The demo's answer, after the requested hold, with the worker's pid."""
    hold = min(float(environ.get("HTTP_X_HOLD") or 0), MAX_HOLD)
    if hold > 0:
        time.sleep(hold)
    worker = str(os.getpid())

    def start_with_worker(
        status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], Any]:
        return start_response(status, [*headers, ("X-Worker", worker)], exc_info)

    return demo_application(environ, start_with_worker)
