"""API tokens: made, revoked, checked, and what is stored of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maintenance_panel import core, tokens
from maintenance_panel.core import InvalidValue
from maintenance_panel.models import ApiToken, MaintenanceChange
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_raw_token_has_a_prefix_a_key_id_and_256_bits_of_secret():
    raw = core.create_api_token("deploy")
    prefix, key_id, secret = raw.split("_", 2)
    assert prefix == "mcp"
    assert len(key_id) == 12
    assert len(secret) >= 43
    token = ApiToken.objects.get(name="deploy")
    assert token.key_id == key_id
    assert token.public_id == f"mcp_{key_id}"
    assert token.scopes == ["read", "switch"]


def test_only_a_hash_is_stored_and_the_history_names_the_token_only():
    raw = core.create_api_token("deploy")
    token = ApiToken.objects.get(name="deploy")
    assert raw not in token.token_hash
    secret = raw.split("_", 2)[2]
    stored = " ".join(str(value) for value in ApiToken.objects.values_list().get())
    assert secret not in stored
    change = MaintenanceChange.objects.get()
    assert change.changes == {"api_token": [None, "deploy"]}
    assert secret not in str(change.changes)


def test_each_token_is_different():
    assert core.create_api_token("one") != core.create_api_token("two")


def test_scopes_and_expiry_are_kept():
    core.create_api_token("reader", scopes=("read",), expires_at=timedelta(days=30))
    token = ApiToken.objects.get(name="reader")
    assert token.scopes == ["read"]
    assert token.expires_at > timezone.now() + timedelta(days=29)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"scopes": ("read", "delete")}, "scopes"),
        ({"scopes": ()}, "scopes"),
        ({"expires_at": timedelta(hours=-1)}, "expires_at"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_made(options, field):
    with pytest.raises(InvalidValue) as caught:
        core.create_api_token("bad", **options)
    assert field in caught.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_name_in_use_is_refused():
    core.create_api_token("deploy")
    with pytest.raises(InvalidValue) as caught:
        core.create_api_token("deploy")
    assert "name" in caught.value.message_dict


def test_revoke_ends_a_token_and_is_recorded():
    raw = core.create_api_token("deploy")
    core.revoke_api_token("deploy", label="command line (ops)", source="command")
    assert tokens.authenticate(raw).refusal == tokens.REVOKED
    change = MaintenanceChange.objects.first()
    assert change.changes == {"api_token": ["deploy", "revoked"]}
    assert change.actor == "command line (ops)"
    core.revoke_api_token("deploy")  # again: nothing happens
    assert MaintenanceChange.objects.count() == 2


def test_revoking_an_unknown_token_says_so():
    with pytest.raises(InvalidValue, match="no API token named “ghost”"):
        core.revoke_api_token("ghost")


def test_deleting_a_token_is_recorded():
    core.create_api_token("deploy")
    ApiToken.objects.all().delete()
    assert MaintenanceChange.objects.first().changes == {"api_token": ["deploy", None]}


def test_the_creator_is_kept():
    alice = StaffFactory(username="alice")
    core.create_api_token("deploy", user=alice, source="admin")
    assert ApiToken.objects.get().created_by == alice


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        (None, tokens.MISSING),
        ("", tokens.MISSING),
        ("secret", tokens.MALFORMED),
        ("mcp_short_abc", tokens.MALFORMED),
        ("mcp_0123456789ab", tokens.MALFORMED),
        ("mcp_0123456789AB_abc", tokens.MALFORMED),
        ("mcp_0123456789ab_abc", tokens.UNKNOWN),
    ],
)
def test_what_is_not_a_token(raw, refusal):
    assert tokens.authenticate(raw).refusal == refusal


def test_a_good_token_with_a_wrong_secret_is_unknown():
    raw = core.create_api_token("deploy")
    check = tokens.authenticate(raw[:-2] + ("AA" if not raw.endswith("AA") else "BB"))
    assert check.token is None
    assert check.refusal == tokens.UNKNOWN
    assert check.public_id == raw[:16]


def test_an_expired_token_is_refused():
    raw = core.create_api_token("deploy", expires_at=timedelta(minutes=5))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.authenticate(raw).refusal == tokens.EXPIRED
    assert not ApiToken.objects.get().is_usable
    assert not ApiToken.objects.usable().exists()


def test_a_good_token_is_found_with_one_query(django_assert_num_queries):
    raw = core.create_api_token("deploy")
    with django_assert_num_queries(1):
        check = tokens.authenticate(raw)
    assert check.token.name == "deploy"
    assert ApiToken.objects.usable().get() == check.token


def test_use_is_noted_at_most_once_a_minute(django_assert_num_queries):
    raw = core.create_api_token("deploy")
    token = tokens.authenticate(raw).token
    now = timezone.now()
    with django_assert_num_queries(1):
        tokens.note_use(token, "192.0.2.7", now)
    with django_assert_num_queries(0):
        tokens.note_use(token, "192.0.2.7", now + timedelta(seconds=59))
    with django_assert_num_queries(1):
        tokens.note_use(token, "192.0.2.8", now + timedelta(seconds=59))
    with django_assert_num_queries(1):
        tokens.note_use(token, "192.0.2.8", now + timedelta(minutes=2))
    stored = ApiToken.objects.get()
    assert stored.last_used_at == now + timedelta(minutes=2)
    assert stored.last_used_from == "192.0.2.8"
    assert MaintenanceChange.objects.count() == 1  # the creation only


def test_an_address_that_is_no_address_is_not_stored():
    core.create_api_token("deploy")
    token = ApiToken.objects.get()
    tokens.note_use(token, "not an address")
    assert ApiToken.objects.get().last_used_from is None
    assert ApiToken.objects.get().last_used_at is not None


def test_str_is_the_name():
    core.create_api_token("deploy")
    assert str(ApiToken.objects.get()) == "deploy"


def test_one_scope_may_be_given_as_a_string():
    core.create_api_token("reader", scopes="read")
    assert ApiToken.objects.get().scopes == ["read"]


def test_a_database_that_cannot_answer_refuses_the_token(monkeypatch):
    from django.db import DatabaseError

    raw = core.create_api_token("deploy")

    def broken(*args, **kwargs):
        raise DatabaseError("the database is under maintenance")

    monkeypatch.setattr(ApiToken.objects, "filter", broken)
    check = tokens.authenticate(raw)
    assert (check.token, check.refusal) == (None, tokens.UNAVAILABLE)
    tokens.note_use(ApiToken(pk=1, name="x"), "192.0.2.1")  # no error either
