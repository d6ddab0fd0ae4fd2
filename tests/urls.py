"""A URLconf with the admin somewhere unusual and views of every kind."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.utils.decorators import method_decorator
from django.views import View

from maintenance_panel.decorators import force_maintenance_mode_off, force_maintenance_mode_on


def plain(request):
    return HttpResponse("plain page")


async def async_plain(request):
    return HttpResponse("async page")


@force_maintenance_mode_off
def always_on(request):
    return HttpResponse("always available")


@force_maintenance_mode_off
async def async_always_on(request):
    return HttpResponse("async always available")


@force_maintenance_mode_on
def always_down(request):
    return HttpResponse("never shown")


@force_maintenance_mode_on
async def async_always_down(request):
    return HttpResponse("never shown")


@force_maintenance_mode_off
class AvailableView(View):
    def get(self, request):
        return HttpResponse("class view available")


@method_decorator(force_maintenance_mode_off, name="dispatch")
class AvailableByMethodView(View):
    def get(self, request):
        return HttpResponse("method-decorated view available")


def whoami(request):
    return HttpResponse(request.user.get_username() or "anonymous")


urlpatterns = [
    path("", plain),
    path("async/", async_plain),
    path("always-on/", always_on),
    path("async-always-on/", async_always_on),
    path("always-down/", always_down),
    path("async-always-down/", async_always_down),
    path("class-view/", AvailableView.as_view()),
    path("method-view/", AvailableByMethodView.as_view()),
    path("administrator/", plain),
    path("whoami/", whoami),
    path("backoffice/", admin.site.urls),
    path("maintenance/", include("maintenance_panel.urls")),
]
