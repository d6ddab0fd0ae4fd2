"""``manage.py maintenance_mode on|off|status|wait|render|bypass|token|exec|tick``:
maintenance mode from a shell, deploy scripts and cron.

Its command line is in :mod:`maintenance_panel.management.arguments`, each verb in a
module of :mod:`maintenance_panel.management.verbs`. Changes go through
:mod:`maintenance_panel.core`, so they are validated like the admin's and recorded in
the history as "command line (<OS user>)". ``exec`` passes everything after the name of
the command it runs on unchanged, so it is read by its own module before the parser
(:meth:`Command.run_from_argv`).
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
from maintenance_panel.management.verbs import (
    bypass,
    execute,
    render,
    status,
    switch,
    tick,
    token,
    wait,
)


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = (
        "Switch maintenance mode on or off, show its state, manage bypass links and API "
        "tokens, run a command unless maintenance holds it, or send the window events due "
        "now.\n\n" + arguments.USAGE + "\n\nTIME: " + TIME_EXAMPLES + "."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the usage lines of the description as written.
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def run_from_argv(self, argv: list[str]) -> None:
        if argv[2:3] == ["exec"]:
            self._called_from_command_line = True
            execute.run_from_argv(self, argv)
            return
        super().run_from_argv(argv)

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
            elif word == "token":
                token.run(self, args, options)
            elif word == "exec":
                execute.run(self, args, options)
            elif word == "tick":
                tick.run(self)
            else:
                switch.run(self, word == "on", options)
        except DatabaseError as exc:
            raise CommandError(
                f"The maintenance tables cannot be read ({exc}); run `python manage.py "
                "migrate` first, or check the database settings."
            ) from exc
