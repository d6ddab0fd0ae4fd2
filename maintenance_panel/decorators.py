"""Decorators: for views, fixing maintenance mode for one view whatever the state; for
management commands, holding the command during maintenance.

The middleware reads the mark they leave on a view (:data:`ATTRIBUTE`) before the view
runs, and answers a view forced on with the maintenance response itself. A view forced
on that runs all the same was not answered by the middleware (it is not installed, or
the view was called directly), so the decorator answers with the same response, as
django-maintenance-mode's decorator does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse

from maintenance_panel import holding, responses, state
from maintenance_panel.decision import FORCED_ATTRIBUTE

#: The attribute the middleware reads on a view (or its ``view_class``).
ATTRIBUTE = FORCED_ATTRIBUTE

ViewT = TypeVar("ViewT", bound=Callable[..., Any])
HandleT = TypeVar("HandleT", bound=Callable[..., Any])


def maintenance_response(request: HttpRequest) -> HttpResponse:
    """The maintenance response, as the middleware answers a held-back request."""
    return responses.maintenance_response(request, state.get_snapshot())


def _marked(view: ViewT, value: bool, answer: Callable[..., Any] | None) -> ViewT:
    """``view`` marked with ``value``; ``answer(request)`` replaces what it returns."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if answer is not None:
                return await sync_to_async(answer)(request)
            return await view(request, *args, **kwargs)

        wrapper: Any = async_wrapper
    else:

        @functools.wraps(view)
        def sync_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if answer is not None:
                return answer(request)
            return view(request, *args, **kwargs)

        wrapper = sync_wrapper
    setattr(wrapper, ATTRIBUTE, value)
    return wrapper


def _answering_dispatch(view_class: type) -> Callable[..., Any]:
    """A ``dispatch`` for a class-based view forced on: the maintenance response (awaited
    for a view with async handlers)."""

    def dispatch(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "view_is_async", False):
            return sync_to_async(maintenance_response)(request)
        return maintenance_response(request)

    functools.update_wrapper(dispatch, view_class.dispatch)  # type: ignore[attr-defined]
    return dispatch


def force_maintenance_mode_off(view: ViewT) -> ViewT:
    """Serve this view as usual even during maintenance.

    Works on function views, async views, class-based views (decorate the class, or
    ``method_decorator(force_maintenance_mode_off, name="dispatch")``) and ``as_view()``.
    """
    if isinstance(view, type):
        # A class-based view: as_view() finds the attribute through view_class.
        setattr(view, ATTRIBUTE, False)
        return view
    return _marked(view, False, None)


def force_maintenance_mode_on(view: ViewT) -> ViewT:
    """Answer this view with the maintenance response even when maintenance mode is off.

    Works on the same views as :func:`force_maintenance_mode_off`, with or without the
    middleware installed.
    """
    if isinstance(view, type):
        setattr(view, ATTRIBUTE, True)
        if hasattr(view, "dispatch"):
            view.dispatch = _answering_dispatch(view)
        return view
    return _marked(view, True, maintenance_response)


def held_during_maintenance(handle: HandleT) -> HandleT:
    """Decorate a management command's ``handle``: while the whole site is under full
    maintenance the command does not run; it prints one line (why, until when) and
    exits with status 75 (``EX_TEMPFAIL``). Under read-only maintenance it runs under
    the write guard, and a refused write ends it with status 75, nothing written.

    The work's name, for ``MAINTENANCE_MODE_IGNORE_TASKS`` and the admin's
    ``ignore_tasks``, is the command's (the name of its module).
    """

    @functools.wraps(handle)
    def wrapper(self: Any, *args: Any, **options: Any) -> Any:
        name = type(self).__module__.rpartition(".")[2]
        return holding.run_unless_held(
            name, lambda: handle(self, *args, **options), stderr=self.stderr
        )

    return cast(HandleT, wrapper)
