"""The middleware: thin, it asks :func:`maintenance_panel.decision.decide` and answers.

Place it anywhere after ``django.contrib.auth.middleware.AuthenticationMiddleware``.
The decision is made in ``process_view`` (where the resolved view and URL are known
without resolving again); requests that never reach it (a 404, or an earlier
middleware that answered, such as a CSRF failure) are decided after the fact in
``__call__``, with whatever URL match there was. While maintenance is off, and for a
request outside the maintenance scope, nothing else is touched: no session, no
``request.user``, no query.

The sync and async paths run the same decision; they differ only in how it reaches
the user: the sync path reads it on the spot, the async path first decides without
any I/O and, when the rules need the user, decides again in a thread
(:meth:`MaintenanceModeMiddleware._decide` runs there).

During read-only maintenance a held-back request with a safe method is served under
the write guard (:mod:`maintenance_panel.guard`), installed when it is decided and
removed in ``__call__`` once the response is made; a write it stops reaches
``process_exception`` (or, raised below the view, turns into a 500 that ``__call__``
replaces) and is answered with the read-only maintenance response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase

from maintenance_panel import conf, health, responses, state
from maintenance_panel.decision import (
    ASK_USER,
    GUARD,
    REFUSE,
    SERVE,
    Decision,
    RequestUser,
    decide,
    evaluated_user,
    forced_by_view,
)
from maintenance_panel.guard import WriteGuard, WriteRefused
from maintenance_panel.snapshot import Snapshot

_DECIDED = "_maintenance_panel_decided"
#: Request attribute: (the write guard, the snapshot it was installed for).
_GUARDED = "_maintenance_panel_guarded"


async def _auser(request: HttpRequest) -> Any:
    """The request's user, read the async way (None when unknown or unreadable)."""
    function = conf.authenticated_user_function()
    try:
        if function is not None:
            return await sync_to_async(lambda: evaluated_user(function(request)))()
        if hasattr(request, "auser"):
            return await request.auser()
    except DatabaseError as exc:
        # Sessions or users unreachable: treat the visitor as anonymous.
        health.report_unavailable("database", exc)
    return None


class MaintenanceModeMiddleware:
    """Answers with the maintenance response when the site is under maintenance."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[..., Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
            # Django adapts process_view to the handler's mode; give it a native one.
            self.process_view = self._aprocess_view  # type: ignore[method-assign,assignment]

    # -- entry points ---------------------------------------------------------------

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        try:
            response = self.get_response(request)
        finally:
            guarded = request.__dict__.get(_GUARDED)
            if guarded is not None:
                guarded[0].detach()
                guarded[0].deactivate()
        if guarded is not None:
            return self._after_guard(request, response, *guarded)
        if not getattr(request, _DECIDED, False):  # the view was never reached
            snapshot = state.active_snapshot()
            if snapshot is not None:
                decision = self._decide(request, snapshot, None, answered=True)
                return self._answer(request, decision, snapshot) or response
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = await self.get_response(request)
        finally:
            guarded = request.__dict__.get(_GUARDED)
            if guarded is not None:
                # Removed in the thread it was installed in (the request's ORM thread).
                await sync_to_async(guarded[0].detach)()
                guarded[0].deactivate()
        if guarded is not None:
            return self._after_guard(request, response, *guarded)
        if not getattr(request, _DECIDED, False):  # the view was never reached
            snapshot = state.active_snapshot(io=False)
            if snapshot is state.STALE:
                snapshot = await sync_to_async(state.active_snapshot)()
            if snapshot is not None:
                decision = await self._adecide(request, snapshot, None, answered=True)
                return self._answer(request, decision, snapshot) or response
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = forced_by_view(view_func)
        if forced is False:
            return None
        snapshot = state.active_snapshot() if forced is None else state.get_snapshot()
        if snapshot is None:
            return None  # maintenance is off: touch nothing else
        return self._answer(request, self._decide(request, snapshot, forced), snapshot)

    async def _aprocess_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = forced_by_view(view_func)
        if forced is False:
            return None
        if forced is None:
            found = state.active_snapshot(io=False)
            if found is state.STALE:  # re-validating reads the cache or the database
                found = await sync_to_async(state.active_snapshot)()
            if found is None:
                return None  # maintenance is off: touch nothing else
        else:
            found = state.get_snapshot(io=False)
            if found is state.STALE:
                found = await sync_to_async(state.get_snapshot)()
        snapshot: Snapshot = found
        decision = await self._adecide(request, snapshot, forced)
        return self._answer(request, decision, snapshot)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """A write stopped by the guard: the read-only response instead of a 500."""
        if not isinstance(exception, WriteRefused):
            return None
        guarded = request.__dict__.get(_GUARDED)
        snapshot = guarded[1] if guarded is not None else state.get_snapshot()
        return responses.maintenance_response(request, snapshot, read_only=True)

    # -- deciding and answering ------------------------------------------------------

    @classmethod
    def _decide(
        cls,
        request: HttpRequest,
        snapshot: Snapshot,
        forced: bool | None,
        answered: bool = False,
        user: RequestUser | None = None,
    ) -> Decision:
        """Decide, reading the user if the rules need it, and do what the decision
        asks of the request itself: log the user out, install the write guard. Runs
        in the thread of the request's database work."""
        user = user or RequestUser(request)
        decision = decide(request, snapshot, view_forced=forced, answered=answered, user=user)
        if decision.logout:
            logout(request)
        elif decision.action == GUARD:
            cls._install_guard(request, snapshot)
        return decision

    @staticmethod
    def _install_guard(request: HttpRequest, snapshot: Snapshot) -> None:
        # In the thread that runs the request's queries (thread-sensitive).
        guard = WriteGuard()
        guard.attach()
        setattr(request, _GUARDED, (guard, snapshot))

    @classmethod
    async def _adecide(
        cls, request: HttpRequest, snapshot: Snapshot, forced: bool | None, answered: bool = False
    ) -> Decision:
        """:meth:`_decide` for the async path: on the event loop while the rules need
        no query (an anonymous visitor's need none), in a thread otherwise."""
        decision = decide(request, snapshot, view_forced=forced, answered=answered)
        if decision is not ASK_USER:
            return decision
        user = RequestUser(request, await _auser(request))
        if user.user is not None and user.user.is_authenticated:
            # Groups, permissions and logging out may query: decide in a thread.
            return await sync_to_async(cls._decide)(request, snapshot, forced, answered, user)
        decision = decide(request, snapshot, view_forced=forced, answered=answered, user=user)
        if decision.action == GUARD:
            await sync_to_async(cls._install_guard)(request, snapshot)
        return decision

    @staticmethod
    def _answer(
        request: HttpRequest, decision: Decision, snapshot: Snapshot
    ) -> HttpResponseBase | None:
        """The response for ``decision``, or None to let the request through."""
        if decision.action == SERVE:
            return None
        if decision.action == GUARD:
            # The guard's own context is the request's: set here, in the request's
            # context, not in the thread that installed it.
            request.__dict__[_GUARDED][0].activate()
            return None
        return responses.maintenance_response(
            request, snapshot, read_only=decision.action == REFUSE
        )

    @staticmethod
    def _after_guard(
        request: HttpRequest, response: Any, guard: WriteGuard, snapshot: Snapshot
    ) -> Any:
        # A write refused below the view (another middleware) became a 500 before it
        # could reach process_exception; the visitor gets the read-only page instead.
        if guard.refused is not None and response.status_code >= 500:
            return responses.maintenance_response(request, snapshot, read_only=True)
        return response
