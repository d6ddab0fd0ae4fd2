"""``maintenance_mode exec [--even-in-maintenance] NAME [ARGS ...]``: run management
command NAME as background work, unless work called NAME is held.

Everything after NAME goes to that command unchanged, its own options included, so the
command line is split by hand at NAME (argparse would read the command's options as
ours, or drop a ``--``); only what comes before NAME is parsed here. NAME runs in this
process through its own ``run_from_argv``, so its exit status, output and input are its
own. Whether it runs, is held (status 75) or runs under the write guard is
:func:`maintenance_panel.holding.run_unless_held`'s answer.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenance_panel import holding

USAGE = "maintenance_mode exec [--even-in-maintenance] NAME [ARGS ...]"
#: Options before NAME that take a value (Django's own, applied to the whole process).
_VALUE_OPTIONS = frozenset({"--settings", "--pythonpath"})


def _parser(prog: str) -> CommandParser:
    parser = CommandParser(
        prog=f"{prog} maintenance_mode exec",
        description="Run management command NAME with ARGS, unless work called NAME is "
        "held for maintenance: then print why and until when, and exit with status 75.",
        missing_args_message=f"exec needs the name of a management command: {USAGE}",
        called_from_command_line=True,
    )
    parser.add_argument(
        "--even-in-maintenance",
        action="store_true",
        help="Run NAME whatever the state of maintenance.",
    )
    parser.add_argument("--settings", help="As for every command (before NAME).")
    parser.add_argument("--pythonpath", help="As for every command (before NAME).")
    parser.add_argument("name", metavar="NAME", help="The management command to run.")
    return parser


def _split(words: list[str]) -> int:
    """The index of NAME among ``words`` (what follows ``exec``), or ``len(words)``."""
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word == "-":
            return index
        index += 2 if word in _VALUE_OPTIONS else 1
    return len(words)


def run_from_argv(command: BaseCommand, argv: list[str]) -> None:
    """``manage.py maintenance_mode exec ...`` typed in a shell (``argv`` as Django gets
    it): exits with NAME's status, or 75 when held."""
    words = argv[3:]
    at = _split(words)
    prog = os.path.basename(argv[0])
    options = vars(_parser(prog).parse_args(words[: at + 1]))
    try:
        run(command, [options["name"], *words[at + 1 :]], options, prog=argv[0])
    except CommandError as exc:
        command.stderr.write(f"CommandError: {exc}")
        sys.exit(exc.returncode)


def _load(name: str) -> BaseCommand:
    app = get_commands().get(name)
    if app is None:
        raise CommandError(
            f"Unknown command {name!r}: `python manage.py help` lists the commands. Usage: {USAGE}"
        )
    return app if isinstance(app, BaseCommand) else load_command_class(app, name)


def run(
    command: BaseCommand, args: list[str] | tuple[str, ...], options: dict[str, Any], prog: str = ""
) -> None:
    """Run ``args[0]`` with ``args[1:]`` unless held (also from ``call_command``)."""
    if not args:
        raise CommandError(f"exec needs the name of a management command: {USAGE}")
    name, rest = args[0], list(args[1:])
    target = _load(name)
    holding.run_unless_held(
        name,
        lambda: target.run_from_argv([prog or "manage.py", name, *rest]),
        stderr=command.stderr,
        even_in_maintenance=bool(options.get("even_in_maintenance")),
    )
