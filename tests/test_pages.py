"""The web server's copy of the maintenance page (MAINTENANCE_MODE_STATIC_PAGE, render)."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.utils import timezone

from maintenance_panel import core
from maintenance_panel.models import MaintenanceConfig
from maintenance_panel.pages import render_static_page, write_atomically

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(tmp_path):
    """MAINTENANCE_MODE_STATIC_PAGE set to a file in an empty folder."""
    path = tmp_path / "maintenance.html"
    with override_settings(MAINTENANCE_MODE_STATIC_PAGE=str(path)):
        yield path


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` the change commits (the test's own transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def app_template(settings):
    """The app's own maintenance page (the demo site overrides it with its own)."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]


def test_the_page_is_rewritten_after_every_committed_change(page, commit):
    assert not page.exists()  # nothing changed yet
    with commit():
        core.set_maintenance_mode(True, title="Upgrading", message="Back <soon>\nThanks")
    text = page.read_text()
    assert "<h1>Upgrading</h1>" in text
    assert "Back &lt;soon&gt;<br>Thanks" in text
    with commit():
        core.set_maintenance_mode(False, title="Next time")
    assert "<h1>Next time</h1>" in page.read_text()  # also while off: ready for a deploy


def test_changes_from_the_model_rewrite_it_too(page, commit):
    config = MaintenanceConfig.get_solo()
    config.title = "Saved in the admin"
    with commit():
        config.save()
    assert "Saved in the admin" in page.read_text()


def test_nothing_is_written_before_the_commit(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        core.set_maintenance_mode(True, title="Rolled back")
    assert not page.exists()


def test_the_file_is_readable_by_the_web_server_and_no_temporary_file_is_left(page, commit):
    with commit():
        core.set_maintenance_mode(True)
    assert stat.S_IMODE(page.stat().st_mode) == 0o644
    assert sorted(os.listdir(page.parent)) == ["maintenance.html"]


def test_a_failing_write_is_logged_and_the_change_stands(tmp_path, commit, caplog):
    missing = tmp_path / "no-such-folder" / "maintenance.html"
    with override_settings(MAINTENANCE_MODE_STATIC_PAGE=str(missing)), commit():
        core.set_maintenance_mode(True, title="Still switched")
    assert core.get_maintenance_mode()
    assert MaintenanceConfig.get_solo().title == "Still switched"
    assert "cannot write MAINTENANCE_MODE_STATIC_PAGE" in caplog.text
    assert str(missing) in caplog.text


def test_a_template_that_cannot_render_is_logged_and_the_change_stands(page, commit, caplog):
    with override_settings(MAINTENANCE_MODE_TEMPLATE="no-such-template.html"), commit():
        core.set_maintenance_mode(True)
    assert core.get_maintenance_mode()
    assert "cannot render the maintenance page" in caplog.text


def test_the_page_is_self_contained_and_rendered_without_a_request(config):
    config.enabled = False
    config.title = "Deploy tonight"
    config.ends_at = timezone.now() + timedelta(hours=1)
    config.save()
    text = render_static_page()
    assert "<h1>Deploy tonight</h1>" in text
    assert "We expect to be back by" in text
    assert "<style>" in text
    for external in ("<link", "src=", "url(", "@import"):
        assert external not in text


@override_settings(LANGUAGE_CODE="de")
def test_the_page_is_in_the_site_language(config):
    text = render_static_page()
    assert '<html lang="de">' in text
    assert "Website nicht verfügbar" in text


def test_write_atomically_replaces_the_file(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    write_atomically(target, "new")
    assert target.read_text() == "new"
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "page.html", "x")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("relative/page.html", "is not an absolute path"),
        ("/no-such-folder-here/page.html", "which does not exist"),
        (42, "is int, not a file path"),
    ],
)
def test_check_w007_reports_a_page_that_cannot_be_written(value, problem):
    with override_settings(MAINTENANCE_MODE_STATIC_PAGE=value):
        [warning] = [m for m in run_checks() if m.id == "maintenance_panel.W007"]
    assert problem in warning.msg
    assert "docs/deploying.md" in warning.hint


def test_check_w007_reports_a_folder(tmp_path):
    with override_settings(MAINTENANCE_MODE_STATIC_PAGE=str(tmp_path)):
        [warning] = [m for m in run_checks() if m.id == "maintenance_panel.W007"]
    assert "is a folder" in warning.msg


def test_check_w007_reports_a_folder_that_may_not_be_written(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    # Root may write anywhere, whatever the mode says: ask the folder's mode instead.
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode, **kw: (
            False if str(path) == str(folder) else real_access(path, mode, **kw)
        ),
    )
    with override_settings(MAINTENANCE_MODE_STATIC_PAGE=str(folder / "p.html")):
        [warning] = [m for m in run_checks() if m.id == "maintenance_panel.W007"]
    assert "may not write" in warning.msg


def test_check_w007_is_quiet_for_a_writable_file(page):
    assert not [m for m in run_checks() if m.id == "maintenance_panel.W007"]
