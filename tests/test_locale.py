"""The German translation: what a German-speaking operator and visitor read, and a
catalog that is complete and compiled."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

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
CATALOG = APP_DIR / "locale" / "de" / "LC_MESSAGES"
PO = CATALOG / "django.po"
MO = CATALOG / "django.mo"

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


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po(PO)


def test_po_has_no_untranslated_or_fuzzy_entries(entries: list[Entry]) -> None:
    messages = [entry for entry in entries if entry.msgid]
    assert len(messages) > 150
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []
    assert [
        entry.msgid for entry in messages if not entry.translations or not all(entry.translations)
    ] == []
    plurals = [entry for entry in messages if entry.plural is not None]
    assert plurals
    assert all(len(entry.translations) == 2 for entry in plurals)


def test_mo_holds_every_translation_of_the_po(entries: list[Entry]) -> None:
    with MO.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    for entry in entries:
        if not entry.msgid:
            continue
        if entry.plural is None:
            assert catalog.get(entry.key) == entry.translations[0], entry.msgid
        else:
            found = [catalog.get((entry.key, index)) for index in range(len(entry.translations))]
            assert found == entry.translations, entry.msgid
    # Nothing in the .mo that the .po no longer has.
    keys = {key if isinstance(key, str) else key[0] for key in catalog}
    assert keys - {""} == {entry.key for entry in entries if entry.msgid}


def test_mo_is_what_msgfmt_makes_of_the_po(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True)
    with MO.open("rb") as shipped, fresh.open("rb") as made:
        shipped_catalog = gettext.GNUTranslations(shipped)._catalog  # type: ignore[attr-defined]
        made_catalog = gettext.GNUTranslations(made)._catalog  # type: ignore[attr-defined]
    assert shipped_catalog == made_catalog


def test_every_string_marked_in_the_code_is_in_the_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: list[Entry]
) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("xgettext and msgmerge (GNU gettext) are not installed")
    copy = tmp_path / "maintenance_panel"
    shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["de"], verbosity=0)

    extracted = read_po(copy / "locale" / "de" / "LC_MESSAGES" / "django.po")
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
