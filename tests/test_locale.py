"""The translations: what German-, French- and Spanish-speaking operators and visitors
read, and catalogs that are complete and compiled."""

from __future__ import annotations

import ast
import gettext
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation

import maintenance_panel
from maintenance_panel.validators import parse_ip_lines
from tests.factories import SuperuserFactory
from tests.helpers import PANEL, logged_in, panel_url, text

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


# -- the catalog -------------------------------------------------------------------------


@dataclass
class Entry:
    """One message of a .po file."""

    flags: set[str] = field(default_factory=set)
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    #: msgstr, or msgstr[0], msgstr[1], ... of a plural message.
    translations: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        # How a compiled catalog names the message: "context\x04msgid".
        return self.msgid if self.context is None else f"{self.context}\x04{self.msgid}"


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ones left out), header included."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        # A message ends where the next begins or at a blank line; comments and flags
        # before a message belong to it.
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
            entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
            entry = Entry()  # an obsolete message's flags stop here
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword"
            kind, index = target
            value = ast.literal_eval(line)
            if kind == "msgstr":
                entry.translations[index] += value
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgctxt":
                if target is not None and target[0] != "context":
                    finish()
                entry.context, target = value, ("context", 0)
            elif keyword == "msgid":
                if target is not None and target[0] != "context":
                    finish()
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.plural, target = value, ("plural", 0)
            else:  # msgstr or msgstr[n]
                entry.translations.append(value)
                target = ("msgstr", len(entry.translations) - 1)
    finish()
    return entries


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def entries(language: str) -> list[Entry]:
    return read_po(catalog(language) / "django.po")


def plural_count(entries: list[Entry]) -> int:
    """nplurals from the catalog's Plural-Forms header."""
    [header] = [entry for entry in entries if not entry.msgid]
    match = re.search(r"nplurals=(\d+)", header.translations[0])
    assert match, "the catalog has no Plural-Forms header"
    return int(match.group(1))


def test_po_has_no_untranslated_or_fuzzy_entries(entries: list[Entry]) -> None:
    messages = [entry for entry in entries if entry.msgid]
    assert len(messages) > 150
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []
    assert [
        entry.msgid for entry in messages if not entry.translations or not all(entry.translations)
    ] == []
    plurals = [entry for entry in messages if entry.plural is not None]
    assert plurals
    assert all(len(entry.translations) == plural_count(entries) for entry in plurals)


def test_every_language_has_the_same_messages(entries: list[Entry]) -> None:
    german = read_po(catalog("de") / "django.po")
    assert {entry.key for entry in entries} == {entry.key for entry in german}


def test_mo_holds_every_translation_of_the_po(language: str, entries: list[Entry]) -> None:
    with (catalog(language) / "django.mo").open("rb") as compiled:
        messages = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    for entry in entries:
        if not entry.msgid:
            continue
        if entry.plural is None:
            assert messages.get(entry.key) == entry.translations[0], entry.msgid
        else:
            found = [messages.get((entry.key, index)) for index in range(len(entry.translations))]
            assert found == entry.translations, entry.msgid
    # Nothing in the .mo that the .po no longer has.
    keys = {key if isinstance(key, str) else key[0] for key in messages}
    assert keys - {""} == {entry.key for entry in entries if entry.msgid}


def test_mo_is_what_msgfmt_makes_of_the_po(language: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    po = catalog(language) / "django.po"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)], check=True)
    with (catalog(language) / "django.mo").open("rb") as shipped, fresh.open("rb") as made:
        shipped_catalog = gettext.GNUTranslations(shipped)._catalog  # type: ignore[attr-defined]
        made_catalog = gettext.GNUTranslations(made)._catalog  # type: ignore[attr-defined]
    assert shipped_catalog == made_catalog


def test_every_string_marked_in_the_code_is_in_the_po(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: list[Entry]
) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("xgettext and msgmerge (GNU gettext) are not installed")
    copy = tmp_path / "maintenance_panel"
    shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=[language], verbosity=0)

    extracted = read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
    assert {entry.key for entry in extracted if entry.msgid} == {
        entry.key for entry in entries if entry.msgid
    }


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
