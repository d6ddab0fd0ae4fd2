"""The translation catalogs: complete, compiled, and holding every string the code marks."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import maintenance_panel

APP_DIR = Path(maintenance_panel.__file__).parent
LANGUAGES = ("de", "fr", "es")


def catalog(language: str) -> Path:
    """The folder of one language's catalog."""
    return APP_DIR / "locale" / language / "LC_MESSAGES"


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
