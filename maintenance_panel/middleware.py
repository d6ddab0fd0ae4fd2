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

During read-only maintenance the whole request is guarded (:mod:`maintenance_panel.
guarding`): the write guard is activated in ``__call__`` before the request goes further
(it follows the request's context into every thread its work runs in),
lifted in ``process_view`` for a visitor the view's URL exempts, and removed once the
response is made. A write it stops reaches ``process_exception`` (or, raised outside a
view, turns into a 500 that ``__call__`` replaces) and is answered with the read-only
maintenance response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase

from maintenance_panel import conf, guarding, health, responses, state
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
from maintenance_panel.guard import WriteRefused
from maintenance_panel.snapshot import Snapshot

_DECIDED = "_maintenance_panel_decided"


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
        snapshot = state.active_snapshot()
        if snapshot is not None and _guards_writes(snapshot):
            self._decide(request, snapshot, None, up_front=True)
            guarding.activate(request)
        try:
            response = self.get_response(request)
        finally:
            guarded = guarding.detach(request)
            guarding.deactivate(guarded)
        refused = _refused_into_an_error(guarded, response)
        if refused is not None:
            return responses.maintenance_response(request, refused, read_only=True)
        if getattr(request, _DECIDED, False):
            return response
        snapshot = state.active_snapshot()  # the view was never reached: decide now
        if snapshot is None:
            return response
        decision = self._decide(request, snapshot, None, answered=True)
        return self._answer(request, decision, snapshot) or response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        snapshot = await _aactive_snapshot()
        if snapshot is not None and _guards_writes(snapshot):
            await self._adecide(request, snapshot, None, up_front=True)
            guarding.activate(request)
        try:
            response = await self.get_response(request)
        finally:
            guarded = None
            if guarding.guarded(request) is not None:
                # Removed in the thread it was installed in (the request's ORM thread).
                guarded = await sync_to_async(guarding.detach)(request)
            guarding.deactivate(guarded)
        refused = _refused_into_an_error(guarded, response)
        if refused is not None:
            return responses.maintenance_response(request, refused, read_only=True)
        if getattr(request, _DECIDED, False):
            return response
        snapshot = await _aactive_snapshot()  # the view was never reached: decide now
        if snapshot is None:
            return response
        decision = await self._adecide(request, snapshot, None, answered=True)
        return self._answer(request, decision, snapshot) or response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = forced_by_view(view_func)
        if forced is False:
            guarding.deactivate(guarding.detach(request))
            return None
        snapshot = state.active_snapshot() if forced is None else state.get_snapshot()
        if snapshot is None:
            return None  # maintenance is off: touch nothing else
        decision = self._decide(request, snapshot, forced)
        if decision.action == SERVE:
            guarding.deactivate(guarding.detach(request))
        return self._answer(request, decision, snapshot)

    async def _aprocess_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = forced_by_view(view_func)
        if forced is False:
            await _alift(request)
            return None
        found = await _aactive_snapshot() if forced is None else await _asnapshot()
        if found is None:
            return None  # maintenance is off: touch nothing else
        snapshot: Snapshot = found
        decision = await self._adecide(request, snapshot, forced)
        if decision.action == SERVE:
            await _alift(request)
        return self._answer(request, decision, snapshot)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """A write stopped by the guard: the read-only response instead of a 500."""
        if not isinstance(exception, WriteRefused):
            return None
        guarded = guarding.guarded(request)
        snapshot = guarded.snapshot if guarded is not None else state.get_snapshot()
        return responses.maintenance_response(request, snapshot, read_only=True)

    # -- deciding and answering ------------------------------------------------------

    @staticmethod
    def _decide(
        request: HttpRequest,
        snapshot: Snapshot,
        forced: bool | None,
        answered: bool = False,
        user: RequestUser | None = None,
        up_front: bool = False,
    ) -> Decision:
        """Decide, reading the user if the rules need it, and do what the decision
        asks of the request itself: log the user out, install the write guard (also
        for a change, when deciding ``up_front``, before the view is known). Runs in
        the thread of the request's database work."""
        user = user or RequestUser(request)
        decision = decide(request, snapshot, view_forced=forced, answered=answered, user=user)
        if decision.logout:
            logout(request)
        elif decision.action == GUARD or (up_front and decision.action == REFUSE):
            guarding.attach(request, snapshot)
        return decision

    @classmethod
    async def _adecide(
        cls,
        request: HttpRequest,
        snapshot: Snapshot,
        forced: bool | None,
        answered: bool = False,
        up_front: bool = False,
    ) -> Decision:
        """:meth:`_decide` for the async path: on the event loop while the rules need
        no query (an anonymous visitor's need none), in a thread otherwise."""
        decision = decide(request, snapshot, view_forced=forced, answered=answered)
        if decision is not ASK_USER:
            return decision
        user = RequestUser(request, await _auser(request))
        if user.user is not None and user.user.is_authenticated:
            # Groups, permissions and logging out may query: decide in a thread.
            return await sync_to_async(cls._decide)(
                request, snapshot, forced, answered, user, up_front
            )
        decision = decide(request, snapshot, view_forced=forced, answered=answered, user=user)
        if decision.action == GUARD or (up_front and decision.action == REFUSE):
            await sync_to_async(guarding.attach)(request, snapshot)
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
            guarding.activate(request)
            return None
        return responses.maintenance_response(
            request, snapshot, read_only=decision.action == REFUSE
        )


def _guards_writes(snapshot: Snapshot) -> bool:
    """Whether read-only maintenance with the write guard is in force (the snapshot
    being the active one)."""
    return snapshot.level_is_read_only() and conf.block_writes()


def _refused_into_an_error(guarded: guarding.Guarded | None, response: Any) -> Snapshot | None:
    """The snapshot to answer from when a write refused outside a view (another
    middleware, ``handler404``) became a 5xx before it could reach process_exception:
    the visitor gets the read-only page instead. None otherwise."""
    if guarded is None or guarded.guard.refused is None or response.status_code < 500:
        return None
    return guarded.snapshot


async def _aactive_snapshot() -> Snapshot | None:
    found = state.active_snapshot(io=False)
    if found is state.STALE:  # re-validating reads the cache or the database
        return await sync_to_async(state.active_snapshot)()
    return found


async def _asnapshot() -> Snapshot:
    found = state.get_snapshot(io=False)
    if found is state.STALE:
        return await sync_to_async(state.get_snapshot)()
    return found


async def _alift(request: HttpRequest) -> None:
    """Lift the request's guard (an exempt visitor), in the thread it was attached in."""
    if guarding.guarded(request) is not None:
        guarding.deactivate(await sync_to_async(guarding.detach)(request))
