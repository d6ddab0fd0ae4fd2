"""Mail the admins the guestbook's entries of the last day (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.digest import send_guestbook_digest


class Command(BaseCommand):
    help = "Mail the admins the guestbook entries of the last 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_guestbook_digest()
        self.stdout.write(f"Mailed the digest of {count} guestbook entries.")
