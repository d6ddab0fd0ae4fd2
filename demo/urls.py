"""URLs of the demo site."""

from django.contrib import admin
from django.urls import include, path

from demo import views

urlpatterns = [
    path("", views.index, name="index"),
    path("about/", views.about, name="about"),
    path("guestbook/", views.guestbook, name="guestbook"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("maintenance/", include("maintenance_panel.urls")),
]
