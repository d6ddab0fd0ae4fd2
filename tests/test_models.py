"""The stored state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
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
