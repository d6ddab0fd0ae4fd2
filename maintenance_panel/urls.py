"""``include("maintenance_panel.urls")``: the bypass endpoint and the JSON status."""

from django.urls import path

from maintenance_panel import views

app_name = "maintenance_panel"

urlpatterns = [
    path("bypass/<str:token>/", views.bypass, name="bypass"),
    path("status/", views.status_endpoint, name="status"),
]
