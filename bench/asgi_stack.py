"""What the ASGI benchmarks share: the middleware chain as Django built it, a minimal
ASGI driver, and living side by side with django-maintenance-mode in one process.

Not run by itself: ``bench/overhead_asgi.py``, ``bench/load_asgi.py`` and
``bench/site_asgi.py`` import it.

``describe_chain`` walks the chain an ``ASGIHandler`` built and names every middleware
with the mode Django runs it in, and every adapter Django put between two of them
(``sync_to_async`` / ``async_to_sync``): a chain without adapters, every middleware
``async``, is a request that goes through the middleware's native async path.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import AsyncToSync, SyncToAsync, iscoroutinefunction, markcoroutinefunction

#: django-maintenance-mode's middleware (sync only: no ``async_capable``).
DMM_MIDDLEWARE = "maintenance_mode.middleware.MaintenanceModeMiddleware"

#: django-maintenance-mode writes its defaults onto ``django.conf.settings`` when
#: imported. Pinned here, in one process with both apps, to this app's documented
#: defaults (README, "Settings"), so that it adds only the names this app does not read
#: (its state backend and file): both apps then run with the defaults of their own.
PINNED_SETTINGS: dict[str, Any] = {
    "MAINTENANCE_MODE": None,
    "MAINTENANCE_MODE_IGNORE_ADMIN_SITE": None,
    "MAINTENANCE_MODE_IGNORE_STAFF": None,
    "MAINTENANCE_MODE_IGNORE_SUPERUSER": None,
    "MAINTENANCE_MODE_IGNORE_AUTHENTICATED_USER": None,
    "MAINTENANCE_MODE_IGNORE_ANONYMOUS_USER": None,
    "MAINTENANCE_MODE_IGNORE_IP_ADDRESSES": (),
    "MAINTENANCE_MODE_IGNORE_URLS": (),
    "MAINTENANCE_MODE_IGNORE_TESTS": False,
    "MAINTENANCE_MODE_TEMPLATE": "503.html",
    "MAINTENANCE_MODE_STATUS_CODE": 503,
    "MAINTENANCE_MODE_RETRY_AFTER": 3600,
    "MAINTENANCE_MODE_REDIRECT_URL": None,
    "MAINTENANCE_MODE_RESPONSE_TYPE": None,
    "MAINTENANCE_MODE_GET_CONTEXT": None,
    "MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS": None,
    "MAINTENANCE_MODE_GET_AUTHENTICATED_USER": None,
    "MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER": False,
    "MAINTENANCE_MODE_LOGOUT_STAFF_USER": None,
    "MAINTENANCE_MODE_LOGOUT_SUPERUSER": None,
}
#: What django-maintenance-mode may still add with the above pinned.
DMM_ONLY_SETTINGS = frozenset(
    {
        "MAINTENANCE_MODE_STATE_BACKEND",
        "MAINTENANCE_MODE_STATE_BACKEND_FALLBACK_VALUE",
        "MAINTENANCE_MODE_STATE_FILE_NAME",
        "MAINTENANCE_MODE_STATE_FILE_PATH",
        "MAINTENANCE_MODE_CACHE_BACKEND",
    }
)


def asgi_handler(middleware: list[str]) -> Any:
    """An ``ASGIHandler`` with this ``MIDDLEWARE``, built as uvicorn's would be."""
    from django.core.handlers.asgi import ASGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return ASGIHandler()


def dmm_added_settings() -> set[str]:
    """The ``MAINTENANCE_MODE*`` names django-maintenance-mode wrote onto the settings."""
    from django.conf import settings

    before = {name for name in dir(settings._wrapped) if name.startswith("MAINTENANCE_MODE")}
    import maintenance_mode.settings  # noqa: F401

    after = {name for name in dir(settings._wrapped) if name.startswith("MAINTENANCE_MODE")}
    return after - before


class AsyncEmptyMiddleware:
    """Does nothing, natively async, the way this app's middleware is shaped
    (``__call__`` and ``process_view``): what Django charges for any such middleware."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Awaitable[Any]]) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: Any) -> Any:
        return await self.get_response(request)

    async def process_view(self, request: Any, *args: Any) -> None:
        return None


def describe_chain(handler: Any) -> tuple[str, bool]:
    """The handler's middleware chain, outermost first, and whether it is native async
    all the way (no adapter, every middleware async)."""
    parts: list[str] = []
    native = True
    node = handler._middleware_chain
    while node is not None:
        if isinstance(node, SyncToAsync | AsyncToSync):
            parts.append("[sync_to_async]" if isinstance(node, SyncToAsync) else "[async_to_sync]")
            native = False
            node = node.func if isinstance(node, SyncToAsync) else node.awaitable
        elif inspect.isfunction(node) and hasattr(node, "__wrapped__"):
            node = node.__wrapped__  # convert_exception_to_response's wrapper
        elif hasattr(node, "get_response") and not inspect.ismethod(node):
            mode = "async" if iscoroutinefunction(node) else "sync"
            native = native and mode == "async"
            parts.append(f"{type(node).__name__}({mode})")
            node = node.get_response
        else:
            parts.append("view")
            node = None
    return " > ".join(parts), native


def view_hook_mode(handler: Any, middleware_class: type) -> str:
    """How Django calls ``process_view`` of ``middleware_class`` in this handler:
    ``native async``, ``sync_to_async`` (adapted) or ``sync``."""
    for hook in handler._view_middleware:
        if isinstance(getattr(hook, "__self__", None), middleware_class):
            if isinstance(hook, SyncToAsync):
                return "sync_to_async"
            return "native async" if iscoroutinefunction(hook) else "sync"
    return "none"


def http_scope(path: str = "/", headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    """A minimal HTTP scope, as uvicorn would hand it over for ``GET path``."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8"),
            *(headers or []),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def call(handler: Any, scope: dict) -> int:
    """One request through ``handler``; its status. The body arrives in one message;
    a disconnect never does (Django listens for it while the view runs)."""
    received = False
    status = 0

    async def receive() -> dict:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.get_running_loop().create_future()  # never done
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await handler(scope, receive, send)
    return status


def _name(function: Any) -> str:
    while hasattr(function, "func"):  # functools.partial
        function = function.func
    owner = getattr(function, "__self__", None)
    if owner is not None and not inspect.isclass(owner) and not inspect.ismodule(owner):
        return f"{type(owner).__name__}.{getattr(function, '__name__', '?')}"
    return getattr(function, "__qualname__", None) or repr(function)


@contextmanager
def counting_hops() -> Iterator[Counter[str]]:
    """Counts every ``sync_to_async`` and ``async_to_sync`` call (a hop to another
    thread or back) while the block runs, by the function it runs."""
    hops: Counter[str] = Counter()
    to_thread, to_loop = SyncToAsync.__call__, AsyncToSync.__call__

    async def counted_to_thread(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        hops[f"sync_to_async {_name(self.func)}"] += 1
        return await to_thread(self, *args, **kwargs)

    def counted_to_loop(self: AsyncToSync, *args: Any, **kwargs: Any) -> Any:
        hops[f"async_to_sync {_name(self.awaitable)}"] += 1
        return to_loop(self, *args, **kwargs)

    SyncToAsync.__call__ = counted_to_thread  # type: ignore[method-assign]
    AsyncToSync.__call__ = counted_to_loop  # type: ignore[method-assign]
    try:
        yield hops
    finally:
        SyncToAsync.__call__ = to_thread  # type: ignore[method-assign]
        AsyncToSync.__call__ = to_loop  # type: ignore[method-assign]


@contextmanager
def counting_calls(owner: type, name: str) -> Iterator[Counter[str]]:
    """Counts the calls of method ``name`` of class ``owner`` while the block runs
    (nothing when the class has no such method)."""
    calls: Counter[str] = Counter()
    original = owner.__dict__.get(name)
    if original is None:
        yield calls
        return

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return original(self, *args, **kwargs)

    setattr(owner, name, counted)
    try:
        yield calls
    finally:
        setattr(owner, name, original)


_opened: list[Counter[str]] = []


def _audit(event: str, args: Any) -> None:
    if event == "open" and _opened:
        _opened[-1]["open"] += 1


@contextmanager
def counting_opens() -> Iterator[Counter[str]]:
    """Counts the files opened, by any thread, while the block runs (an audit hook,
    installed once: hooks cannot be removed)."""
    if not hasattr(_audit, "installed"):
        sys.addaudithook(_audit)
        _audit.installed = True  # type: ignore[attr-defined]
    _opened.append(Counter())
    try:
        yield _opened[-1]
    finally:
        _opened.pop()
