"""``maintenance_mode render [--output PATH]``: the maintenance page for the web server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maintenance_panel import pages


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    """Write the page with the stored text and window, to stdout or (atomically) to
    ``--output``."""
    page = pages.render_static_page()
    output = options["output"]
    if not output:
        command.stdout.write(page, ending="" if page.endswith("\n") else "\n")
        return
    try:
        pages.write_atomically(output, page)
    except OSError as exc:
        raise CommandError(
            f"Cannot write {output}: {exc.strerror or exc}. Name a file in an existing "
            "folder you may write to."
        ) from exc
    if options["verbosity"] >= 1:
        command.stdout.write(f"Wrote the maintenance page to {output}.")
