"""The demo's WSGI application, telling which worker process answered.

The propagation test must see every worker answer; gunicorn shares connections
among its workers as they accept them, so each response names its worker.
"""

import os

from demo.wsgi import application as demo_application


def application(environ, start_response):  # type: ignore[no-untyped-def]
    def start_with_worker(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        return start_response(status, [*headers, ("X-Worker", str(os.getpid()))], exc_info)

    return demo_application(environ, start_with_worker)
