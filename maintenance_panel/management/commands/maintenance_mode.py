"""``manage.py maintenance_mode on|off|status|wait|render|bypass``: maintenance mode
from a shell and from deploy scripts.

Its command line is in :mod:`maintenance_panel.management.arguments`, each verb in a
module of :mod:`maintenance_panel.management.verbs`. Changes go through
:mod:`maintenance_panel.core`, so they are validated like the admin's and recorded in
the history as "command line (<OS user>)".
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.db import DatabaseError

from maintenance_panel.management import arguments
from maintenance_panel.management.times import TIME_EXAMPLES
from maintenance_panel.management.verbs import bypass, render, status, switch, wait


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = (
        "Switch maintenance mode on or off, show its state, or manage bypass links.\n\n"
        + arguments.USAGE
        + "\n\nTIME: "
        + TIME_EXAMPLES
        + "."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the usage lines of the description as written.
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        arguments.add_arguments(parser)

    def handle(self, *args: str, **options: Any) -> None:
        word = options["state"]
        options = arguments.convert_keyword_options(options)
        arguments.refuse_misplaced(word, args, options)
        try:
            if word == "status":
                status.run(self, options)
            elif word == "wait":
                wait.run(self, options)
            elif word == "render":
                render.run(self, options)
            elif word == "bypass":
                bypass.run(self, args, options)
            else:
                switch.run(self, word == "on", options)
        except DatabaseError as exc:
            raise CommandError(
                f"The maintenance tables cannot be read ({exc}); run `python manage.py "
                "migrate` first, or check the database settings."
            ) from exc
