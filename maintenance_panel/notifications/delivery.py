"""Delivery: each notification to each webhook and e-mail address, off the request path.

:func:`enqueue` creates one :class:`~maintenance_panel.models.Delivery` per webhook and
per recipient, due at once, and after the transaction commits wakes this process's
*sender*: a daemon thread that runs :func:`deliver_due` and then sleeps until the next
retry is due. The save or request that caused the event never waits for a receiver.

A delivery is *claimed* before it is sent: one conditional UPDATE moves its
``next_attempt_at`` a lease (:data:`LEASE`) ahead, so that of several processes (or
``maintenance_mode tick``) only one sends it; a process that dies while sending leaves
it due again once the lease has passed. A failed attempt is recorded (``attempts``,
``last_error``) and retried after :data:`BACKOFF`; after the last one the delivery is
``failed``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from maintenance_panel.models import Delivery, Notification
from maintenance_panel.notifications import mail, webhooks

logger = logging.getLogger("maintenance_panel")

#: The waits before the second, third... attempt; after the last, a delivery is failed.
BACKOFF = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
)
#: How long a claimed delivery is left to its sender before another may send it.
LEASE = timedelta(minutes=5)


def enqueue(notification: Notification) -> list[Delivery]:
    """Create the deliveries of ``notification`` (one per webhook of
    ``MAINTENANCE_MODE_WEBHOOKS``, one per e-mail address of the members of
    ``notify_groups``) and, once the transaction commits, have the sender send them."""
    now = timezone.now()
    deliveries = [
        Delivery(
            notification=notification,
            channel=Delivery.WEBHOOK,
            target=hook.target(),
            endpoint=hook.endpoint(),
            next_attempt_at=now,
        )
        for hook in webhooks.configured()
    ]
    deliveries += [
        Delivery(
            notification=notification, channel=Delivery.EMAIL, target=address, next_attempt_at=now
        )
        for address in mail.recipients()
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        transaction.on_commit(sender.wake)
    return deliveries


def deliver_due(now: datetime | None = None) -> int:
    """Send every delivery that is due at ``now`` (pending and ``next_attempt_at`` passed,
    which includes one whose sender died), here and now; return how many were
    delivered."""
    now = now or timezone.now()
    delivered = 0
    due = Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now)
    for delivery in due.select_related("notification").order_by("next_attempt_at", "pk"):
        if _claim(delivery, now):
            delivered += _attempt(delivery, now)
    return delivered


def next_due() -> datetime | None:
    """When the next pending delivery is due, or None."""
    pending = Delivery.objects.filter(status=Delivery.PENDING).exclude(next_attempt_at=None)
    return pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def _claim(delivery: Delivery, now: datetime) -> bool:
    claimed = Delivery.objects.filter(
        Q(pk=delivery.pk, status=Delivery.PENDING, next_attempt_at=delivery.next_attempt_at)
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


def _send(delivery: Delivery) -> str:
    payload = delivery.notification.payload
    if delivery.channel == Delivery.EMAIL:
        return mail.send(delivery.target, payload)
    hook = webhooks.by_endpoint(delivery.endpoint)
    if hook is None:
        return f"{delivery.target} is no longer in MAINTENANCE_MODE_WEBHOOKS"
    return webhooks.post(hook, payload)


def _attempt(delivery: Delivery, now: datetime) -> int:
    """Send a claimed delivery once and record how it went; 1 if delivered."""
    error = _send(delivery)
    delivery.attempts += 1
    if not error:
        delivery.status, delivery.delivered_at = Delivery.DELIVERED, timezone.now()
        delivery.next_attempt_at, delivery.last_error = None, ""
    elif delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at, delivery.last_error = (
            Delivery.FAILED,
            None,
            error,
        )
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        delivery.last_error = error
    if error:
        logger.warning(
            "maintenance_panel: %s notification to %s, attempt %d: %s",
            delivery.notification.event,
            delivery.target,
            delivery.attempts,
            error,
        )
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_error",
            "updated_at",
        ]
    )
    return 0 if error else 1


class Sender:
    """This process's background sender: a daemon thread, started on first use, that
    sends what is due whenever woken and sleeps until the next retry."""

    def __init__(self) -> None:
        self._wakes: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Off during tests (the pytest plugin and the unittest mixin): a test's
        #: deliveries are not the site's to send; ``deliver_due`` sends them.
        self.background = True

    def wake(self) -> None:
        """Have the thread send what is due now (it starts if it is not running)."""
        if not self.background:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="maintenance-panel-notifications", daemon=True
                )
                self._thread.start()
        self._wakes.put(True)

    def _run(self) -> None:
        wait: float | None = None
        while True:
            with contextlib.suppress(queue.Empty):
                self._wakes.get(timeout=wait)
            if not self.background:
                wait = None  # sleep until woken once sending is back on
                continue
            try:
                wait = self._send_due()
            finally:
                # This thread's own connections: none is held open while it sleeps.
                connections.close_all()

    def _send_due(self) -> float | None:
        """Send what is due; return the seconds until the next retry (None: none)."""
        try:
            deliver_due()
            upcoming = next_due()
        except Exception:
            # The thread must outlive a database outage; the deliveries stay due and
            # are sent on the next wake or by maintenance_mode tick.
            logger.exception("maintenance_panel: sending notifications failed")
            return BACKOFF[0].total_seconds()
        if upcoming is None:
            return None
        return max(0.0, (upcoming - timezone.now()).total_seconds())


#: The sender of this process.
sender = Sender()


def stop_sending_in_background() -> None:
    """Leave what is due to :func:`deliver_due` (tests): a test's deliveries are not the
    site's to send."""
    sender.background = False


def send_in_background() -> None:
    """Send what is due in the background again (tests), from the next wake."""
    sender.background = True
