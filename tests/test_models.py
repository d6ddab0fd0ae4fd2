"""The stored state."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from maintenance_panel.models import BypassLink, MaintenanceConfig, hash_token

pytestmark = pytest.mark.django_db


def test_singleton_defaults(config):
    assert config.pk == 1
    assert config.enabled is False
    assert config.ignore_admin_site is True
    assert not any(
        (
            config.ignore_staff,
            config.ignore_superuser,
            config.ignore_authenticated_user,
            config.ignore_anonymous_user,
        )
    )
    assert str(config) == "Maintenance mode"
    assert MaintenanceConfig._meta.verbose_name == "maintenance mode"


def test_only_one_row(config):
    other = MaintenanceConfig(enabled=True)
    other.save()
    assert MaintenanceConfig.objects.count() == 1
    assert MaintenanceConfig.get_solo().enabled


@pytest.mark.parametrize(
    ("start", "end", "active"),
    [
        (None, None, True),
        (-1, None, True),
        (1, None, False),
        (None, 1, True),
        (None, -1, False),
        (-2, -1, False),
        (-1, 1, True),
    ],
)
def test_window(config, start, end, active):
    now = timezone.now()
    config.enabled = True
    config.starts_at = None if start is None else now + timedelta(hours=start)
    config.ends_at = None if end is None else now + timedelta(hours=end)
    assert config.stored_active(now) is active
    config.enabled = False
    assert config.stored_active(now) is False


def test_end_before_start_is_a_field_error(config):
    now = timezone.now()
    config.starts_at = now
    config.ends_at = now - timedelta(minutes=1)
    with pytest.raises(ValidationError) as caught:
        config.full_clean()
    assert "ends_at" in caught.value.message_dict


def test_invalid_lines_are_field_errors(config):
    config.ignore_ip_addresses = "10.0.0.1\nnot-an-ip"
    config.ignore_urls = "^/ok$\n(unclosed"
    with pytest.raises(ValidationError) as caught:
        config.full_clean()
    assert "not-an-ip" in caught.value.message_dict["ignore_ip_addresses"][0]
    assert "(unclosed" in caught.value.message_dict["ignore_urls"][0]


def test_bypass_link_usable_until_expiry_or_revocation():
    now = timezone.now()
    open_link = BypassLink.objects.create(name="QA", token_hash=hash_token("a"))
    expiring = BypassLink.objects.create(
        name="Agency", token_hash=hash_token("b"), expires_at=now + timedelta(hours=1)
    )
    expired = BypassLink.objects.create(
        name="Old", token_hash=hash_token("c"), expires_at=now - timedelta(hours=1)
    )
    revoked = BypassLink.objects.create(name="Gone", token_hash=hash_token("d"), revoked_at=now)
    assert set(BypassLink.objects.usable()) == {open_link, expiring}
    assert open_link.is_usable
    assert expiring.is_usable
    assert not expired.is_usable
    assert not revoked.is_usable
    assert str(open_link) == "QA"


def test_only_a_hash_of_the_secret_is_stored():
    assert hash_token("secret") != "secret"
    assert len(hash_token("secret")) == 64


def test_switched_on_at_is_set_when_the_switch_turns_on_and_kept_while_on(config):
    assert config.switched_on_at is None
    config.enabled = True
    config.save()
    turned_on = config.switched_on_at
    assert turned_on == config.changed_at

    config.title = "Upgrade"
    config.save()
    config.refresh_from_db()
    assert config.switched_on_at == turned_on

    config.enabled = False
    config.save()
    config.refresh_from_db()
    assert config.switched_on_at is None


def test_switched_on_at_follows_the_stored_switch_with_update_fields(config):
    config.enabled = True
    config.save()
    stale = MaintenanceConfig.objects.get()
    stale.enabled = False  # not saved: update_fields names only the title
    stale.title = "Upgrade"
    stale.save(update_fields=["title"])
    stale.refresh_from_db()
    assert stale.enabled
    assert stale.switched_on_at == config.switched_on_at


def test_the_migration_takes_the_last_change_of_a_switch_already_on(config):
    migration = importlib.import_module("maintenance_panel.migrations.0006_boundary_details")
    changed_at = timezone.now() - timedelta(days=2)
    MaintenanceConfig.objects.update(enabled=True, changed_at=changed_at, switched_on_at=None)

    # The step only asks the schema editor which database it works on.
    migration.switched_on_when_last_changed(django_apps, SimpleNamespace(connection=connection))

    assert MaintenanceConfig.objects.get().switched_on_at == changed_at
