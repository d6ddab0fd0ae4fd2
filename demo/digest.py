"""The guestbook's daily digest: the entries of the last day, mailed to the admins.

The demo runs it two ways, both held during maintenance: the management command
``guestbook_digest`` (from cron, through ``maintenance_mode exec``) and the task
``demo.tasks.send_guestbook_digest`` (Django's tasks framework).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import mail_admins
from django.utils import timezone

from demo.models import GuestbookEntry


def send_guestbook_digest() -> int:
    """Mail the admins the guestbook entries of the last 24 hours; returns how many."""
    since = timezone.now() - timedelta(days=1)
    entries = list(GuestbookEntry.objects.filter(created_at__gte=since).order_by("created_at"))
    lines = [f"{entry.name}: {entry.message}" for entry in entries] or ["(no new entries)"]
    mail_admins(f"Guestbook digest: {len(entries)} new entries", "\n".join(lines))
    return len(entries)
