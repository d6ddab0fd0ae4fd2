"""Calling the automation API in tests: its URL, a token, the headers.

A test module makes fixtures of the two fixture functions with ``pytest.fixture(...)``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.test import Client

from maintenance_panel import core
from maintenance_panel.api import access

URL = "/maintenance/api/"


def fresh_cache(monkeypatch: Any) -> Iterator[None]:
    """Fixture: no refused attempts counted by an earlier test (a key of this test's
    own: clearing a shared Redis would clear it for every test process)."""
    monkeypatch.setattr(access, "_FAILURES_KEY", f"test-{uuid.uuid4().hex}:%s:%d")
    yield


def deploy_token(db: Any) -> str:
    """Fixture: a token with both scopes, named "deploy"."""
    return core.create_api_token("deploy")


def auth(raw: str) -> dict[str, str]:
    """The ``Authorization: Bearer`` header for the test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, raw: str, body: Any, **extra: Any) -> Any:
    """POST ``body`` (JSON unless bytes or text) with token ``raw``."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **auth(raw), **extra)
