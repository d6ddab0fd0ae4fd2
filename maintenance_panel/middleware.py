"""The middleware: thin, it asks :mod:`maintenance_panel.state` and answers.

Place it anywhere after ``django.contrib.auth.middleware.AuthenticationMiddleware``.
The decision is made in ``process_view`` (where the resolved view and URL are known
without resolving again); requests that never reach it (a 404, or an earlier
middleware that answered, such as a CSRF failure) are decided after the fact in
``__call__``, with whatever URL match there was. While maintenance is off nothing
else is touched: no session, no ``request.user``, no query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import alogout, logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase

from maintenance_panel import conf, decision, health, responses, state
from maintenance_panel.snapshot import Snapshot

_DECIDED = "_maintenance_panel_decided"


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
        response = self.get_response(request)
        if not getattr(request, _DECIDED, False):  # the view was never reached
            held = self._decide(request, request.resolver_match)
            if held is not None:
                return held
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)
        if not getattr(request, _DECIDED, False):  # the view was never reached
            held = await self._adecide(request, request.resolver_match)
            if held is not None:
                return held
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

    def _decide(self, request: HttpRequest, match: Any) -> HttpResponseBase | None:
        snapshot = state.active_snapshot()
        if snapshot is None or self._ignoring_tests():
            return None
        reason = decision.reason_before_user(request, match, snapshot)
        if reason is not None and reason != decision.PANEL:
            return None
        user = decision.guarded_user(decision.request_user(request))
        if reason == decision.PANEL:
            if decision.may_use_panel(user):
                return None
        elif decision.reason_for_user(user, snapshot, decision.member_group_ids(user, snapshot)):
            return None
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

    async def _adecide(self, request: HttpRequest, match: Any) -> HttpResponseBase | None:
        snapshot = await self._aactive_snapshot()
        if snapshot is None or self._ignoring_tests():
            return None
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
        if user is not None and user.is_authenticated and _should_logout(user):
            await alogout(request)
        return responses.maintenance_response(request, snapshot)
