"""Views that write, for the read-only tests (plus every view of tests.urls)."""

import contextlib

from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.urls import path

from demo.models import GuestbookEntry, PageCounter
from tests.urls import urlpatterns as base_patterns


def count(request):
    """A view counter: writes on every GET."""
    return HttpResponse(f"views: {PageCounter.count(request.path)}")


async def async_count(request):
    counter = await PageCounter.objects.acreate(path=request.path)
    return HttpResponse(f"counter {counter.pk}")


def sign(request):
    """Any method: writes one guestbook entry."""
    GuestbookEntry.objects.create(name="visitor", message=request.method)
    return HttpResponse("signed")


def sign_other(request):
    """Writes to the second database."""
    GuestbookEntry.objects.using("other").create(name="other", message="other")
    return HttpResponse("signed on other")


def _raw_insert():
    # Through the driver's own cursor: Django's execute wrappers do not see it.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            "INSERT INTO demo_guestbookentry (name, message, created_at) "
            "VALUES ('first', 'half', CURRENT_TIMESTAMP)"
        )
    finally:
        cursor.close()


def half_then_refused(request):
    """In one transaction: a write the guard cannot see, then one it stops."""
    with transaction.atomic():
        connection.ensure_connection()
        _raw_insert()
        GuestbookEntry.objects.create(name="second", message="half")
    return HttpResponse("both written")


def half_then_refused_per_request(request):
    """The same, inside the transaction ATOMIC_REQUESTS opens."""
    connection.ensure_connection()
    _raw_insert()
    GuestbookEntry.objects.create(name="second", message="half")
    return HttpResponse("both written")


def tolerant(request):
    """Counts if it can, and carries on if the database refuses."""
    try:
        views = PageCounter.count(request.path)
    except DatabaseError:
        views = None
    return HttpResponse(f"views: {views}")


def tolerant_then_broken(request):
    """Carries on inside the transaction the refused write broke, and so fails."""
    with transaction.atomic():
        with contextlib.suppress(DatabaseError):
            GuestbookEntry.objects.create(name="visitor", message="caught")
        GuestbookEntry.objects.count()  # TransactionManagementError: a 500
    return HttpResponse("never")


def cte_insert(request):
    """A write hidden behind WITH, through Django's cursor."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH x AS (SELECT 1 AS one) "
            "INSERT INTO demo_pagecounter (path, hits) SELECT '/cte/', one FROM x"
        )
    return HttpResponse("inserted")


def lock_rows(request):
    """Reads with a row lock (SELECT ... FOR UPDATE where the database has it)."""
    with transaction.atomic():
        names = list(GuestbookEntry.objects.select_for_update().values_list("name", flat=True))
    return HttpResponse(f"locked {names}")


def read(request):
    return HttpResponse(f"entries: {GuestbookEntry.objects.count()}")


def writing_not_found(request, exception):
    """The project's own "not found" page, which logs every miss in the database."""
    GuestbookEntry.objects.create(name="not found", message=request.path)
    return HttpResponse("not found", status=404)


handler404 = "tests.readonly_urls.writing_not_found"


class WritingMiddleware:
    """A middleware below ours that writes after the view (an audit log, say)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path == "/middleware-writes/":
            GuestbookEntry.objects.create(name="middleware", message="below")
        return response


urlpatterns = [
    path("count/", count),
    path("async-count/", async_count),
    path("sign/", sign),
    path("sign-other/", sign_other),
    path("half/", half_then_refused),
    path("half-per-request/", half_then_refused_per_request),
    path("tolerant/", tolerant),
    path("tolerant-then-broken/", tolerant_then_broken),
    path("read/", read),
    path("cte/", cte_insert),
    path("lock/", lock_rows),
    path("middleware-writes/", read),
    path("checkout/", sign),
    path("checkout/pay/", sign),
    *base_patterns,
]
