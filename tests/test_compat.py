"""Settings kept from django-maintenance-mode, seen through the test client."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client, override_settings

from maintenance_panel import decision
from tests.factories import StaffFactory, SuperuserFactory, UserFactory
from tests.helpers import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]


@pytest.fixture
def on(set_config):
    return set_config(enabled=True)


def real_ip(request):
    """A project's own idea of the client address."""
    return request.META.get("HTTP_X_REAL_IP")


def token_user(request):
    """Token authentication: ``Authorization: Token <username>``."""
    scheme, _, username = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token":
        return None
    return get_user_model().objects.filter(username=username).first()


# -- MAINTENANCE_MODE_IGNORE_TESTS ---------------------------------------------------------


@override_settings(MAINTENANCE_MODE_IGNORE_TESTS=True)
def test_ignore_tests_serves_the_site_in_a_test_run(client, on):
    assert client.get("/").status_code == 200


def test_tests_are_not_ignored_by_default(client, on):
    assert client.get("/").status_code == 503


def test_test_run_detected_from_the_test_environment_not_argv(monkeypatch):
    from django.test.utils import _TestState

    assert decision.in_test_run() is True
    monkeypatch.setattr("sys.argv", ["gunicorn", "demo.wsgi"])
    assert decision.in_test_run() is True
    monkeypatch.delattr(_TestState, "saved_data")
    monkeypatch.setattr("sys.argv", ["manage.py", "test"])
    assert decision.in_test_run() is False


# -- client IP: MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS, TRUSTED_PROXY_COUNT ----------------


@pytest.mark.parametrize("setting", [real_ip, "tests.test_compat.real_ip"])
def test_get_client_ip_address(set_config, setting):
    set_config(enabled=True, ignore_ip_addresses="203.0.113.7")
    with override_settings(MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS=setting):
        assert Client(headers={"x-real-ip": "203.0.113.7"}).get("/").status_code == 200
        assert Client(headers={"x-real-ip": "203.0.113.8"}).get("/").status_code == 503
        assert Client(REMOTE_ADDR="203.0.113.7").get("/").status_code == 503


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "exempt"),
    [
        (0, "10.0.0.1", "203.0.113.7", False),  # a client-sent header is not trusted
        (0, "203.0.113.7", "1.2.3.4", True),  # REMOTE_ADDR decides
        (1, "10.0.0.1", "203.0.113.7", True),  # one load balancer
        (1, "10.0.0.1", "203.0.113.7, 198.51.100.1", False),  # forged left entry
        (1, "10.0.0.1", "198.51.100.1, 203.0.113.7", True),
        (2, "10.0.0.2", "203.0.113.7, 10.0.0.1", True),  # two proxies
        (2, "10.0.0.2", "203.0.113.7", False),  # fewer entries than proxies
        (1, "10.0.0.1", "", False),
        (1, "10.0.0.1", "not-an-ip", False),
    ],
)
def test_trusted_proxy_count(set_config, proxies, remote_addr, forwarded, exempt):
    set_config(enabled=True, ignore_ip_addresses="203.0.113.0/24")
    client = Client(REMOTE_ADDR=remote_addr, headers={"x-forwarded-for": forwarded})
    with override_settings(MAINTENANCE_MODE_TRUSTED_PROXY_COUNT=proxies):
        assert client.get("/").status_code == (200 if exempt else 503)


# -- MAINTENANCE_MODE_GET_AUTHENTICATED_USER -----------------------------------------------


@pytest.mark.parametrize("setting", [token_user, "tests.test_compat.token_user"])
def test_get_authenticated_user(set_config, setting):
    StaffFactory(username="robot")
    UserFactory(username="someone")
    set_config(enabled=True, ignore_staff=True)
    with override_settings(MAINTENANCE_MODE_GET_AUTHENTICATED_USER=setting):
        assert Client(headers={"authorization": "Token robot"}).get("/").status_code == 200
        assert Client(headers={"authorization": "Token someone"}).get("/").status_code == 503
        assert Client().get("/").status_code == 503


@pytest.mark.django_db(transaction=True)
@override_settings(MAINTENANCE_MODE_GET_AUTHENTICATED_USER="tests.test_compat.token_user")
async def test_get_authenticated_user_async(set_config):
    await sync_to_async(StaffFactory)(username="robot")
    await sync_to_async(set_config)(enabled=True, ignore_staff=True)
    robot = await AsyncClient().get("/async/", headers={"authorization": "Token robot"})
    assert robot.status_code == 200
    assert (await AsyncClient().get("/async/")).status_code == 503


# -- MAINTENANCE_MODE_LOGOUT_* ---------------------------------------------------------


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


LOGOUT_USER = "MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER"
LOGOUT_STAFF = "MAINTENANCE_MODE_LOGOUT_STAFF_USER"
LOGOUT_SUPERUSER = "MAINTENANCE_MODE_LOGOUT_SUPERUSER"


@pytest.mark.parametrize(
    ("overrides", "logged_out"),
    [
        ({}, set()),
        # The staff and superuser settings default to the authenticated-user one.
        ({LOGOUT_USER: True}, {"user", "staff", "superuser"}),
        ({LOGOUT_USER: True, LOGOUT_STAFF: False, LOGOUT_SUPERUSER: False}, {"user"}),
        ({LOGOUT_STAFF: True}, {"staff"}),
        ({LOGOUT_SUPERUSER: True}, {"superuser"}),
    ],
)
def test_logout_of_held_back_users(on, overrides, logged_out):
    clients = {
        "user": logged_in(UserFactory()),
        "staff": logged_in(StaffFactory()),
        "superuser": logged_in(SuperuserFactory()),
    }
    with override_settings(**overrides):
        for client in clients.values():
            assert client.get("/").status_code == 503
    assert {kind for kind, client in clients.items() if not is_logged_in(client)} == logged_out


@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
def test_exempt_users_are_never_logged_out(set_config):
    set_config(enabled=True, ignore_staff=True)
    staff = logged_in(StaffFactory())
    response = staff.get("/whoami/")
    assert response.status_code == 200
    assert is_logged_in(staff)
    # Nor on a page that stays up for everyone.
    user = logged_in(UserFactory())
    assert user.get("/always-on/").status_code == 200
    assert is_logged_in(user)


@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
def test_logged_out_user_is_anonymous_afterwards(set_config):
    set_config(enabled=True)
    client = logged_in(UserFactory(username="carol"))
    client.get("/")
    set_config(enabled=False)
    assert client.get("/whoami/").content == b"anonymous"


@pytest.mark.django_db(transaction=True)
@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
async def test_logout_on_the_async_path(set_config):
    user = await sync_to_async(UserFactory)()
    await sync_to_async(set_config)(enabled=True)
    client = AsyncClient()
    await client.aforce_login(user)
    assert (await client.get("/async/")).status_code == 503
    session = await client.asession()
    assert "_auth_user_id" not in session
