"""The automation API's views: ``maintenance_panel:api`` and ``maintenance_panel:api-schema``.

``GET`` (scope ``read``) answers the state as ``maintenance_mode status --json`` prints
it (:mod:`maintenance_panel.documents`); ``POST`` (scope ``switch``) changes it through
``core.set_maintenance_mode``, as the admin and the command do, recorded as made by
"API token <name>" (source ``api``), and can wait for the fleet as ``--wait`` does.
Who may call is :mod:`~maintenance_panel.api.access`'s, what a body may ask
:mod:`~maintenance_panel.api.changes`'. The app's URLs are exempt from maintenance
(:func:`maintenance_panel.decision.reason_before_user`), so both views stay reachable
during maintenance, read-only included, and their writes are not guarded.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from maintenance_panel import conf, core, decision, documents, fleet, loading, tokens
from maintenance_panel.api import access, schema
from maintenance_panel.api.changes import BadChange, Change, errors_per_key, read_change
from maintenance_panel.models import ApiToken, MaintenanceConfig

#: The methods of the endpoint, and the scope each needs.
SCOPE_OF = {"GET": "read", "HEAD": "read", "POST": "switch"}


def _state(extra: dict[str, Any] | None = None) -> JsonResponse:
    response = JsonResponse({**documents.full_document(documents.describe("api")), **(extra or {})})
    add_never_cache_headers(response)
    return response


@csrf_exempt
@transaction.non_atomic_requests
def api_endpoint(request: HttpRequest) -> HttpResponse:
    """Read (``GET``) or change (``POST``) maintenance mode with a bearer token."""
    if request.method not in SCOPE_OF:
        response = access.answer(405, _("Use GET to read the state or POST to change it."))
        response["Allow"] = ", ".join(SCOPE_OF)
        return response
    limited = access.too_many_failures(request)
    if limited is not None:
        return limited
    check = tokens.authenticate(access.bearer_token(request))
    if check.token is None:
        return access.refuse(request, check)
    scope = SCOPE_OF[request.method]
    if not check.token.has_scope(scope):
        return access.lacks_scope(check.token, scope)
    tokens.note_use(check.token, decision.client_ip(request))
    if scope == "read":
        return _state()
    return _switch(request, check.token)


def _stored() -> MaintenanceConfig:
    found = MaintenanceConfig.objects.filter(pk=MaintenanceConfig.singleton_instance_id).first()
    return found or MaintenanceConfig()


def _switch(request: HttpRequest, token: ApiToken) -> HttpResponse:
    try:
        change = read_change(request.body)
    except RequestDataTooBig:
        errors = {"body": [_("The body is too large.")]}
        return access.answer(400, _("Nothing changed: the body has errors."), errors=errors)
    except BadChange as exc:
        return access.answer(400, _("Nothing changed: the body has errors."), errors=exc.errors)
    values, stored = change.values, _stored()
    since = time.time()
    try:
        core.set_maintenance_mode(
            values.get("enabled", stored.enabled),
            # Absent keys keep what is stored; switching on would otherwise clear the window.
            start=values.get("starts_at", stored.starts_at),
            end=values.get("ends_at", stored.ends_at),
            title=values.get("title"),
            message=values.get("message"),
            read_only=values.get("read_only"),
            scope=values.get("scope"),
            source="api",
            label=f"API token {token.name}",
        )
    except ImproperlyConfigured as exc:
        return access.answer(409, str(exc))
    except ValidationError as exc:
        errors = errors_per_key(exc)
        return access.answer(400, _("Nothing changed: the body has errors."), errors=errors)
    return _answer_after(change, since)


def _answer_after(change: Change, since: float) -> HttpResponse:
    if not change.wait:
        return _state()
    try:
        waited = _wait_for_fleet(since, change.wait)
    except fleet.FleetTimeout as exc:
        return access.answer(
            504,
            _("The change is saved, but after %(seconds)g s %(count)d process(es) do not apply it.")
            % {"seconds": change.wait, "count": len(exc.verdicts)},
            processes=[verdict.as_dict() for verdict in exc.verdicts],
        )
    except fleet.ReportsUnavailable as exc:
        return access.answer(
            504,
            _("The change is saved, but the processes' reports cannot be read: %(error)s")
            % {"error": exc},
            processes=[],
        )
    return _state({"wait": waited})


def _wait_for_fleet(since: float, timeout: float) -> list[dict[str, Any]]:
    """Wait as ``--wait`` does: until every process seen recently applies the change."""
    if not fleet.reports_are_shared():
        # No process can be asked: after one TTL every process reads the new state.
        time.sleep(min(conf.state_ttl(), timeout))
        return []
    verdicts = fleet.wait_for_fleet(
        expected=loading.expected_active, target=None, since=since, timeout=timeout
    )
    return [verdict.as_dict() for verdict in verdicts]


@require_safe
def api_schema(request: HttpRequest) -> JsonResponse:
    """The automation API's OpenAPI 3.1 document (no token needed)."""
    base = reverse("maintenance_panel:api").removesuffix(schema.API_PATH.lstrip("/"))
    return JsonResponse(schema.document(server=base.rstrip("/") or "/"))
