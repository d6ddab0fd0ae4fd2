"""Views of the demo site."""

from django import forms
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from demo.models import GuestbookEntry, PageCounter
from maintenance_panel.decorators import force_maintenance_mode_off


def index(request: HttpRequest) -> HttpResponse:
    """The home page: held back during maintenance."""
    return render(request, "index.html")


@force_maintenance_mode_off
def about(request: HttpRequest) -> HttpResponse:
    """The about page: always reachable, even during maintenance."""
    return render(request, "about.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """A health check for load balancers; exempt through MAINTENANCE_MODE_IGNORE_URLS."""
    return JsonResponse({"status": "ok"})


class GuestbookForm(forms.ModelForm):
    class Meta:
        model = GuestbookEntry
        fields = ("name", "message")


def guestbook(request: HttpRequest) -> HttpResponse:
    """The guestbook: reading it counts a view (a write on GET), signing it is a POST.

    During read-only maintenance the POST gets the read-only page from the middleware,
    and the view count is refused by the write guard: this view carries on without it,
    as it would with a read-only database.
    """
    if request.method == "POST":
        form = GuestbookForm(request.POST)
        if form.is_valid():
            form.save()
            return HttpResponseRedirect(reverse("guestbook"))
    else:
        form = GuestbookForm()
    try:
        views = PageCounter.count(request.path)
    except DatabaseError:
        views = None  # not counted: writes are paused (or the database refuses them)
    return render(
        request,
        "guestbook.html",
        {"form": form, "entries": GuestbookEntry.objects.all()[:20], "views": views},
    )
