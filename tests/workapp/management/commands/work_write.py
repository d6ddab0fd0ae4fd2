"""A command run through ``maintenance_mode exec`` in the tests: it reads, then writes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from demo.models import GuestbookEntry


class Command(BaseCommand):
    help = "Count the guestbook entries, then add two (--careful: catch a refused write)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--careful", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"entries before: {GuestbookEntry.objects.count()}")
        try:
            GuestbookEntry.objects.create(name="cron", message="one")
            GuestbookEntry.objects.create(name="cron", message="two")
        except DatabaseError as exc:
            if not options["careful"]:
                raise
            raise CommandError(f"could not write: {exc}") from exc
        self.stdout.write("wrote 2 entries")
