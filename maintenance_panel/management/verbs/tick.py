"""``maintenance_mode tick``: send the window events and the reminder due now, and every
delivery that is due, for a site that may have no traffic (run it from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from maintenance_panel.notifications import delivery, noticing
from maintenance_panel.wording import plain_time


def run(command: BaseCommand) -> None:
    """Notice what the stored state makes due now, then send what is due; say what
    was done, one line each."""
    noticed = noticing.notice_now()
    for each in noticed:
        command.stdout.write(
            f"{each.boundary.event} (due since {plain_time(each.boundary.at)}): {each.outcome}."
        )
    if not noticed:
        command.stdout.write("No window event or reminder is due.")
    sent = delivery.deliver_due()
    command.stdout.write(
        f"Sent {sent} due deliver{'y' if sent == 1 else 'ies'}." if sent else "No delivery was due."
    )
