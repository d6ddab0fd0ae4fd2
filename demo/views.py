"""Views of the demo site."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
