"""The middleware: thin, it asks :mod:`maintenance_panel.state` and answers.

Place it anywhere after ``django.contrib.auth.middleware.AuthenticationMiddleware``.
The decision is made in ``process_view`` (where the resolved view and URL are known
without resolving again); requests that never reach it (a 404, or an earlier
middleware that answered, such as a CSRF failure) are decided after the fact in
``__call__``, with whatever URL match there was. While maintenance is off, and for a
request outside the maintenance scope, nothing else is touched: no session, no
``request.user``, no query.

During read-only maintenance a held-back request with a safe method is served under
the write guard (:mod:`maintenance_panel.guard`), installed in ``process_view`` and
removed in ``__call__`` once the response is made; a write it stops reaches
``process_exception`` (or, raised below the view, turns into a 500 that ``__call__``
replaces) and is answered with the read-only maintenance response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import alogout, logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase

from maintenance_panel import conf, decision, health, responses, state
from maintenance_panel.guard import WriteGuard, WriteRefused
from maintenance_panel.snapshot import Snapshot

_DECIDED = "_maintenance_panel_decided"
#: Request attribute: (the write guard, the snapshot it was installed for).
_GUARDED = "_maintenance_panel_guarded"
#: Methods that read: served to everyone during read-only maintenance.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _should_logout(user: Any) -> bool:
    authenticated, staff, superuser = conf.logout_policy()
    if user.is_superuser:
        return superuser
    if user.is_staff:
        return staff
    return authenticated


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
            held = self._decide(request, request.resolver_match, answered=True)
            if held is not None:
                return held
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
            held = await self._adecide(request, request.resolver_match, answered=True)
            if held is not None:
                return held
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """A write stopped by the guard: the read-only response instead of a 500."""
        if not isinstance(exception, WriteRefused):
            return None
        guarded = request.__dict__.get(_GUARDED)
        snapshot = guarded[1] if guarded is not None else state.get_snapshot()
        return responses.maintenance_response(request, snapshot, read_only=True)

    @staticmethod
    def _after_guard(
        request: HttpRequest, response: Any, guard: WriteGuard, snapshot: Snapshot
    ) -> Any:
        # A write refused below the view (another middleware) became a 500 before it
        # could reach process_exception; the visitor gets the read-only page instead.
        if guard.refused is not None and response.status_code >= 500:
            return responses.maintenance_response(request, snapshot, read_only=True)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = decision.forced_by_view(view_func)
        if forced is False:
            return None
        if forced is True:
            return responses.maintenance_response(request, state.get_snapshot())
        return self._decide(request, request.resolver_match)

    async def _aprocess_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        setattr(request, _DECIDED, True)
        forced = decision.forced_by_view(view_func)
        if forced is False:
            return None
        if forced is True:
            return responses.maintenance_response(request, await self._asnapshot())
        return await self._adecide(request, request.resolver_match)

    # -- the decision, sync and async ------------------------------------------------

    @staticmethod
    def _ignoring_tests() -> bool:
        # MAINTENANCE_MODE_IGNORE_TESTS inside a test run.
        return conf.ignore_tests() and decision.in_test_run()

    @staticmethod
    def _before_exemptions(request: HttpRequest, snapshot: Snapshot | None, answered: bool) -> bool:
        """Whether the request is served before any exemption is looked at: maintenance
        off, outside the scope, or a read of read-only maintenance that needs no guard
        (the guard is off, or the response was made without the view: nothing left to
        guard)."""
        if snapshot is None or not snapshot.in_scope(request.path_info):
            return True
        if snapshot.level_is_read_only() and request.method in SAFE_METHODS:
            return answered or not conf.block_writes()
        return False

    @staticmethod
    def _held_read_only(request: HttpRequest, snapshot: Snapshot) -> Any:
        """Read-only maintenance, a visitor who is not exempt: a read is served under the
        write guard (returns the guard to install), a change gets the read-only page."""
        if request.method in SAFE_METHODS:
            guard = WriteGuard()
            setattr(request, _GUARDED, (guard, snapshot))
            return guard
        return responses.maintenance_response(request, snapshot, read_only=True)

    def _decide(
        self, request: HttpRequest, match: Any, *, answered: bool = False
    ) -> HttpResponseBase | None:
        snapshot = state.active_snapshot()
        if self._before_exemptions(request, snapshot, answered) or self._ignoring_tests():
            return None
        assert snapshot is not None
        reason = decision.reason_before_user(request, match, snapshot)
        if reason is not None and reason != decision.PANEL:
            return None
        user = decision.guarded_user(decision.request_user(request))
        if reason == decision.PANEL:
            if decision.may_use_panel(user):
                return None
        elif decision.reason_for_user(user, snapshot, decision.member_group_ids(user, snapshot)):
            return None
        if snapshot.level_is_read_only():
            held = self._held_read_only(request, snapshot)
            if isinstance(held, WriteGuard):
                held.activate()
                held.attach()
                return None
            return held
        if user is not None and user.is_authenticated and _should_logout(user):
            logout(request)
        return responses.maintenance_response(request, snapshot)

    @staticmethod
    async def _asnapshot() -> Snapshot:
        if state.snapshot_is_fresh():
            return state.get_snapshot()
        return await sync_to_async(state.get_snapshot)()

    @staticmethod
    async def _aactive_snapshot() -> Snapshot | None:
        if state.snapshot_is_fresh():  # answers without I/O
            return state.active_snapshot()
        return await sync_to_async(state.active_snapshot)()

    @staticmethod
    async def _auser(request: HttpRequest) -> Any:
        function = conf.authenticated_user_function()
        try:
            if function is not None:
                return await sync_to_async(lambda: decision.guarded_user(function(request)))()
            if hasattr(request, "auser"):
                return await request.auser()
        except DatabaseError as exc:
            # Sessions or users unreachable: treat the visitor as anonymous.
            health.report_unavailable("database", exc)
        return None

    async def _adecide(
        self, request: HttpRequest, match: Any, *, answered: bool = False
    ) -> HttpResponseBase | None:
        snapshot = await self._aactive_snapshot()
        if self._before_exemptions(request, snapshot, answered) or self._ignoring_tests():
            return None
        assert snapshot is not None
        reason = decision.reason_before_user(request, match, snapshot)
        if reason is not None and reason != decision.PANEL:
            return None
        user = await self._auser(request)
        if reason == decision.PANEL:
            if await sync_to_async(decision.may_use_panel)(user):
                return None
        elif decision.reason_for_user(
            user, snapshot, await decision.amember_group_ids(user, snapshot)
        ):
            return None
        if snapshot.level_is_read_only():
            held = self._held_read_only(request, snapshot)
            if isinstance(held, WriteGuard):
                held.activate()
                # In the thread that runs this request's ORM calls (thread-sensitive).
                await sync_to_async(held.attach)()
                return None
            return held
        if user is not None and user.is_authenticated and _should_logout(user):
            await alogout(request)
        return responses.maintenance_response(request, snapshot)
