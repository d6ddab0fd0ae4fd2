"""Maintenance 503s stay out of the error log and out of ADMINS' mailbox."""

from __future__ import annotations

import logging

import django
import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import override_settings
from django.utils.log import AdminEmailHandler, log_response

from maintenance_panel.logging import RequireNotMaintenanceMode503

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_admins(monkeypatch):
    """ADMINS mailed for django.request errors through the filter, as the demo does (and
    only so: Django's default handler on the "django" logger is left out)."""
    handler = AdminEmailHandler()
    handler.addFilter(RequireNotMaintenanceMode503())
    logger = logging.getLogger("django.request")
    monkeypatch.setattr(logger, "propagate", False)
    logger.addHandler(handler)
    if django.VERSION >= (6, 1):
        mail = {
            "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        }
    else:  # the test runner already sends mail to the local-memory outbox
        mail = {}
    # Django 6 takes plain addresses in ADMINS; 5.2 wants (name, address) pairs.
    admins = ["ops@example.com"] if django.VERSION >= (6,) else [("Ops", "ops@example.com")]
    with override_settings(ADMINS=admins, **mail):
        yield
    logger.removeHandler(handler)


def test_held_back_requests_are_not_logged_as_errors(client, set_config, caplog):
    set_config(enabled=True)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for _ in range(5):
            assert client.get("/").status_code == 503
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_held_back_requests_mail_nobody(client, set_config, mail_admins):
    set_config(enabled=True)
    for _ in range(3):
        assert client.get("/").status_code == 503
    assert mail.outbox == []


def test_other_503s_during_maintenance_are_filtered(rf, set_config, mail_admins):
    set_config(enabled=True)
    log_response("Service Unavailable", response=HttpResponse(status=503), request=rf.get("/"))
    assert mail.outbox == []


def test_503s_while_the_site_is_up_still_mail(rf, config, mail_admins):
    log_response("Service Unavailable", response=HttpResponse(status=503), request=rf.get("/x"))
    assert len(mail.outbox) == 1
    assert "Service Unavailable" in mail.outbox[0].subject


def test_500s_during_maintenance_still_mail(rf, set_config, mail_admins):
    set_config(enabled=True)
    log_response("Server Error", response=HttpResponse(status=500), request=rf.get("/"))
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("status", "active", "kept"),
    [(503, True, False), (503, False, True), (500, True, True), (None, True, True)],
)
def test_filter(status, active, kept, set_config):
    set_config(enabled=active)
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "msg", (), None)
    if status is not None:
        record.status_code = status
    assert RequireNotMaintenanceMode503().filter(record) is kept


def test_demo_settings_use_the_filter():
    from demo import settings as demo_settings

    logging_config = demo_settings.LOGGING
    filters = logging_config["handlers"]["mail_admins"]["filters"]
    names = {
        name
        for name in filters
        if logging_config["filters"][name]["()"]
        == "maintenance_panel.logging.RequireNotMaintenanceMode503"
    }
    assert names


@pytest.mark.urls("tests.readonly_urls")
def test_a_refused_write_the_view_carried_on_after_mails_nobody(mail_admins, caplog):
    from django.test import Client

    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True, read_only=True)
    response = Client(raise_request_exception=False).get("/tolerant-then-broken/")
    assert response.status_code == 503  # the read-only page, not a 500
    assert mail.outbox == []


def test_other_server_errors_still_mail(rf, set_config, mail_admins):
    set_config(enabled=True)
    log_response("Server Error", response=HttpResponse(status=500), request=rf.get("/"))
    assert len(mail.outbox) == 1
