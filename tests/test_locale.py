"""The translations as people read them: German-, French- and Spanish-speaking operators
and visitors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

import maintenance_panel
from maintenance_panel.validators import parse_ip_lines
from tests.factories import SuperuserFactory
from tests.helpers import PANEL, logged_in, panel_url, text

APP_DIR = Path(maintenance_panel.__file__).parent


APP_DIR = Path(maintenance_panel.__file__).parent
LANGUAGES = ("de", "fr", "es")


def catalog(language: str) -> Path:
    """The folder of one language's catalog."""
    return APP_DIR / "locale" / language / "LC_MESSAGES"


#: The app's own templates only, as in a project that ships no 503.html.
APP_TEMPLATES_ONLY = override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
        }
    ]
)


# -- what people read --------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_panel_speaks_german() -> None:
    client = logged_in(SuperuserFactory())
    with translation.override("de"):
        response = client.get(PANEL)
    page = text(response)

    assert response.status_code == 200
    assert "<h1>Wartungsmodus</h1>" in response.content.decode()
    assert "Der Wartungsmodus ist AUS" in page
    assert "Wartungsmodus einschalten" in page
    assert "Vorschau der Wartungsseite" in page
    assert "Wer die Website weiter nutzen kann" in page
    assert "IP-Adressen und Netze" in page
    assert "Noch keine Zugangslinks." in page
    assert "Turn maintenance on" not in page


@pytest.mark.django_db
def test_admin_messages_speak_german() -> None:
    client = logged_in(SuperuserFactory())
    with translation.override("de"):
        response = client.post(panel_url("toggle"), {"enabled": "0"}, follow=True)

    assert response.status_code == 200
    assert "Der Wartungsmodus war bereits ausgeschaltet." in text(response)


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
def test_fallback_maintenance_page_speaks_german(client, set_config) -> None:
    set_config(enabled=True, ends_at=timezone.now() + timedelta(hours=2))
    with translation.override("de"):
        response = client.get("/")
    body = response.content.decode()

    assert response.status_code == 503
    assert '<html lang="de">' in body
    assert "<h1>Website nicht verfügbar</h1>" in body
    assert "Bitte versuchen Sie es später noch einmal." in body
    assert "Voraussichtlich sind wir ab " in body


@pytest.mark.django_db
def test_banner_speaks_german(client, set_config) -> None:
    set_config(enabled=True, ignore_anonymous_user=True)
    with translation.override("de"):
        response = client.get("/")

    assert response.status_code == 200
    assert "Der Wartungsmodus ist eingeschaltet." in text(response)
    assert "Sie sehen die Website, weil nicht angemeldete Besucher ausgenommen sind." in text(
        response
    )


def test_ip_field_error_speaks_german() -> None:
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_ip_lines("10.0.0.1\n127.0.0.*")

    assert caught.value.messages == [
        "Zeile 2: „127.0.0.*“ ist keine IP-Adresse und kein Netz "
        "(Beispiele: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)."
    ]


# -- the visitor's language ---------------------------------------------------------------

#: The demo's middleware with LocaleMiddleware where Django's docs put it: after the
#: session, before CommonMiddleware, and so above the maintenance middleware.
WITH_LOCALE_MIDDLEWARE = override_settings(
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "maintenance_panel.middleware.MaintenanceModeMiddleware",
    ]
)

#: What a visitor reads by default, per language: headline, sentence, JSON detail.
VISITOR_TEXT = {
    "de": (
        "Website nicht verfügbar",
        "Bitte versuchen Sie es später noch einmal.",
        "Dienst nicht verfügbar: Wartungsarbeiten laufen.",
    ),
    "fr": (
        "Site indisponible",
        "Veuillez réessayer plus tard.",
        "Service indisponible\u00a0: maintenance en cours.",
    ),
    "es": (
        "Sitio no disponible",
        "Vuelva a intentarlo más tarde.",
        "Servicio no disponible: mantenimiento en curso.",
    ),
}


def assert_visitor_reads(client: Any, language: str) -> None:
    """The page and the JSON of the maintenance response, asked for in ``language``."""
    headline, sentence, detail = VISITOR_TEXT[language]
    accept_language = f"{language},en;q=0.5"

    page = client.get("/", headers={"accept-language": accept_language})
    body = page.content.decode()
    assert page.status_code == 503
    assert f'<html lang="{language}">' in body
    assert f"<h1>{headline}</h1>" in body
    assert sentence in body
    assert "Accept-Language" in page["Vary"]

    api = client.get(
        "/", headers={"accept-language": accept_language, "accept": "application/json"}
    )
    assert api.status_code == 503
    payload = json.loads(api.content)
    assert payload["detail"] == detail
    assert payload["title"] == headline
    assert payload["message"] == sentence


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
@WITH_LOCALE_MIDDLEWARE
def test_maintenance_page_and_json_follow_the_visitor_in_german(client, set_config) -> None:
    set_config(enabled=True)
    assert_visitor_reads(client, "de")


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
@WITH_LOCALE_MIDDLEWARE
def test_maintenance_page_and_json_follow_the_visitor_in_french(client, set_config) -> None:
    set_config(enabled=True)
    assert_visitor_reads(client, "fr")


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
@WITH_LOCALE_MIDDLEWARE
def test_maintenance_page_and_json_follow_the_visitor_in_spanish(client, set_config) -> None:
    set_config(enabled=True)
    assert_visitor_reads(client, "es")


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
@WITH_LOCALE_MIDDLEWARE
def test_each_visitor_gets_their_own_language_from_one_state(client, set_config) -> None:
    """The page is rendered once per language: one visitor's language never reaches
    the next."""
    set_config(enabled=True)
    for language in ("fr", "es", "de", "fr"):
        assert_visitor_reads(client, language)
    english = client.get("/", headers={"accept-language": "en"})
    assert "<h1>Website unavailable</h1>" in english.content.decode()


@pytest.mark.django_db
def test_history_names_a_source_once_in_german() -> None:
    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True)
    client = logged_in(SuperuserFactory())
    with translation.override("de"):
        page = text(client.get(PANEL))
    assert "Python-API" in page
    assert "Python API" not in page


@pytest.mark.django_db
def test_admin_log_is_stored_untranslated() -> None:
    from django.contrib.admin.models import LogEntry

    client = logged_in(SuperuserFactory())
    with translation.override("de"):
        client.post(panel_url("toggle"), {"enabled": "1", "confirm": "1"})
        client.post(panel_url("bypass_add"), {"bypass-name": "QA"})
    stored = [entry.change_message for entry in LogEntry.objects.order_by("pk")]
    assert stored
    assert all("Zugangslink" not in message for message in stored)
    with translation.override("en"):
        assert any("bypass link" in entry.get_change_message() for entry in LogEntry.objects.all())


@pytest.mark.django_db
@APP_TEMPLATES_ONLY
@pytest.mark.urls("tests.readonly_urls")
def test_read_only_page_speaks_german(client) -> None:
    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True, read_only=True)
    with translation.override("de"):
        response = client.post("/sign/")
    page = text(response)
    assert response.status_code == 503
    assert "Änderungen sind pausiert" in page
    assert "was Sie gerade gesendet haben, wurde nicht gespeichert" in page
