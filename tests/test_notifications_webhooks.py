"""Webhooks: the setting's entries, the body of each format and its signature."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import override_settings

from maintenance_panel.notifications import webhooks

PAYLOAD = {
    "event": "switched_on",
    "at": "2026-12-06T12:03:00+00:00",
    "active": True,
    "read_only": False,
    "scope": [],
    "title": "Upgrade",
    "message": "",
    "starts_at": None,
    "ends_at": "2026-12-06T13:00:00+00:00",
    "changed_by": "alice",
    "site": "shop.example",
}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example.com/in?token=abc#x", "https://hooks.example.com/in"),
        ("https://bot:pw@hooks.example.com:8443/in", "https://hooks.example.com:8443/in"),
        ("http://[::1]:9000/hook", "http://[::1]:9000/hook"),
    ],
)
def test_a_webhook_is_shown_without_credentials_or_query(url: str, shown: str) -> None:
    assert webhooks.Webhook(url).target() == shown


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ([{"url": "https://h.example/in", "secret": "s"}], []),
        ([{"url": "https://h.example/in", "format": "slack"}], []),
        ({"url": "https://h.example/in"}, ["is a dict, not a list of dicts"]),
        (["https://h.example/in"], ["entry 0 is a str, not a dict"]),
        (
            [{"url": "ftp://h.example/in", "secret": 1, "format": "xml", "retries": 3}],
            [
                "entry 0 has unknown key 'retries'",
                "entry 0 needs a 'url' starting with http:// or https://",
                "entry 0 has a 'secret' that is not text",
                "entry 0 has 'format' 'xml', not one of json, slack, teams",
            ],
        ),
        ([{"url": "https:///in?token=t"}], ["entry 0 has a 'url' with no host: 'https:///in'"]),
        (
            [{"url": "https://h.example:99999/in"}],
            ["entry 0 has a 'url' that cannot be read: Port out of range 0-65535"],
        ),
        (
            [{"url": "https://h.example/a b?t=x"}],
            ["entry 0 has a 'url' with spaces or control characters: 'https://h.example/a b'"],
        ),
    ],
)
def test_the_setting_is_checked_entry_by_entry(value: object, problems: list[str]) -> None:
    with override_settings(MAINTENANCE_MODE_WEBHOOKS=value):
        assert webhooks.setting_problems() == problems


def test_only_usable_entries_are_configured() -> None:
    hooks = [{"url": "https://a.example/in"}, {"url": "gopher://b.example"}]
    with override_settings(MAINTENANCE_MODE_WEBHOOKS=hooks):
        assert [hook.url for hook in webhooks.configured()] == ["https://a.example/in"]


def test_the_endpoint_names_a_webhook_without_its_url() -> None:
    hook = webhooks.Webhook("https://a.example/in?token=s3cret")

    assert hook.endpoint() != webhooks.Webhook("https://a.example/in?token=other").endpoint()
    assert "s3cret" not in hook.endpoint()
    assert len(hook.endpoint()) == 32


def test_the_json_format_is_the_document_and_its_signature_verifies() -> None:
    hook = webhooks.Webhook("https://a.example/in", secret="s3cret")
    body = webhooks.body(hook, PAYLOAD)

    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert webhooks.signature("s3cret", body) == f"sha256={expected}"
    assert json.loads(body) == PAYLOAD


@override_settings(LANGUAGE_CODE="en", TIME_ZONE="UTC")
def test_slack_gets_text() -> None:
    body = json.loads(webhooks.body(webhooks.Webhook("https://s.example", format="slack"), PAYLOAD))

    assert list(body) == ["text"]
    assert body["text"].startswith("*shop.example: Maintenance switched on*\nMaintenance is on.")
    assert "Window: … to 2026-12-06 13:00 UTC" in body["text"]
    assert "Changed by: alice" in body["text"]


@override_settings(LANGUAGE_CODE="en")
def test_teams_gets_an_adaptive_card() -> None:
    body = json.loads(webhooks.body(webhooks.Webhook("https://t.example", format="teams"), PAYLOAD))

    card = body["attachments"][0]
    assert (body["type"], card["contentType"]) == (
        "message",
        "application/vnd.microsoft.card.adaptive",
    )
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0] == "shop.example: Maintenance switched on"
    assert "Title: Upgrade" in texts[1]
