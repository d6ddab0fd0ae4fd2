"""``include("maintenance_panel.urls")``: the bypass endpoint, the JSON status and the
automation API (with its OpenAPI document)."""

from django.urls import path

from maintenance_panel import views
from maintenance_panel.api import views as api

app_name = "maintenance_panel"

urlpatterns = [
    path("bypass/<str:token>/", views.bypass, name="bypass"),
    path("status/", views.status_endpoint, name="status"),
    path("api/", api.api_endpoint, name="api"),
    path("api/schema/", api.api_schema, name="api-schema"),
]
