"""A command run through ``maintenance_mode exec`` in the tests: it shows what it got."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Print the arguments and options received, echo stdin, exit with --status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="*")
        parser.add_argument("--status", type=int, default=0)
        parser.add_argument("--stdin", action="store_true")
        parser.add_argument("--even-in-maintenance", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        received = {
            "words": options["words"],
            "even_in_maintenance": options["even_in_maintenance"],
            "verbosity": options["verbosity"],
        }
        self.stdout.write(json.dumps(received))
        if options["stdin"]:
            self.stdout.write("stdin: " + sys.stdin.read().strip())
        self.stderr.write("a line on stderr")
        if options["status"] == 3:
            raise CommandError("failed on purpose", returncode=3)
        if options["status"]:
            sys.exit(options["status"])
