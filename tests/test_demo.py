"""The demo site, as the seed tutorial walks through it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_index_and_about_pages_extend_base(client):
    index = client.get("/")
    about = client.get("/about/")
    assert index.status_code == 200
    assert "<h1>Welcome to the demo site</h1>" in index.content.decode()
    assert "Lorem ipsum" in index.content.decode()
    assert about.status_code == 200
    assert "<h1>About us</h1>" in about.content.decode()
    assert [t.name for t in index.templates][:2] == ["index.html", "base.html"]


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_setup_demo_creates_superuser_and_group_and_prints_credentials(capsys):
    call_command("setup_demo", username="demo", password="demo-pass-123")
    out = capsys.readouterr().out
    assert "Username: demo" in out
    assert "Password: demo-pass-123" in out
    assert "http://127.0.0.1:8000/admin/" in out
    user = get_user_model().objects.get(username="demo")
    assert user.is_superuser
    assert user.is_staff
    assert user.check_password("demo-pass-123")
    assert Group.objects.filter(name="Beta testers").exists()


def test_setup_demo_is_repeatable(capsys):
    call_command("setup_demo", username="demo", password="first-pass-123")
    call_command("setup_demo", username="demo", password="second-pass-123")
    assert get_user_model().objects.get(username="demo").check_password("second-pass-123")
    assert Group.objects.filter(name="Beta testers").count() == 1


def test_guestbook_counts_views_and_takes_entries(client):
    from demo.models import GuestbookEntry

    assert "Viewed 1 time." in client.get("/guestbook/").content.decode()
    response = client.post("/guestbook/", {"name": "Ada", "message": "Hello"})
    assert response.status_code == 302
    page = client.get("/guestbook/").content.decode()
    assert "Viewed 2 times." in page
    assert "<strong>Ada</strong>: Hello" in page
    assert GuestbookEntry.objects.count() == 1


def test_guestbook_during_read_only_maintenance(client):
    from demo.models import GuestbookEntry, PageCounter
    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True, read_only=True)
    page = client.get("/guestbook/")
    assert page.status_code == 200
    assert "This visit was not counted: changes are paused." in page.content.decode()
    assert "Signing the guestbook is paused" in page.content.decode()
    refused = client.post("/guestbook/", {"name": "Ada", "message": "Hello"})
    assert refused.status_code == 503
    assert "what you sent was not saved" in refused.content.decode()
    assert not GuestbookEntry.objects.exists()
    assert not PageCounter.objects.exists()


def test_the_guestbook_digest_mails_the_last_day(mailoutbox):
    from demo.models import GuestbookEntry

    GuestbookEntry.objects.create(name="Ada", message="Hello")
    out = StringIO()
    call_command("guestbook_digest", stdout=out)
    assert out.getvalue() == "Mailed the digest of 1 guestbook entries.\n"
    [mail] = mailoutbox
    assert mail.subject.endswith("Guestbook digest: 1 new entries")
    assert mail.body == "Ada: Hello"


def test_the_digest_from_cron_is_held_during_maintenance(mailoutbox, capsys):
    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True)
    with pytest.raises(SystemExit) as exited:
        call_command("maintenance_mode", "exec", "guestbook_digest")
    assert exited.value.code == 75
    assert capsys.readouterr().err.startswith("guestbook_digest: held, not run")
    assert mailoutbox == []


def test_the_digest_task_runs_and_is_refused_while_held(mailoutbox):
    tasks = pytest.importorskip("demo.tasks", exc_type=ImportError)
    from maintenance_panel.core import set_maintenance_mode
    from maintenance_panel.tasks import WorkHeld

    assert tasks.send_guestbook_digest.enqueue().return_value == 0
    assert len(mailoutbox) == 1

    set_maintenance_mode(True)
    # The default backend runs a task inside enqueue(): it cannot run this one later.
    with pytest.raises(WorkHeld, match=r"^demo\.tasks\.send_guestbook_digest: held, not run"):
        tasks.send_guestbook_digest.enqueue()
    assert len(mailoutbox) == 1
