"""A command of the project's own, held during maintenance by the decorator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.models import GuestbookEntry
from maintenance_panel.decorators import held_during_maintenance


class Command(BaseCommand):
    help = "Add a guestbook entry, unless maintenance holds it."

    @held_during_maintenance
    def handle(self, *args: Any, **options: Any) -> None:
        GuestbookEntry.objects.create(name="owned", message="ran")
        self.stdout.write("work_owned ran")
