"""The automation API: ``maintenance_panel:api`` and its OpenAPI document.

- :mod:`~maintenance_panel.api.views`: the endpoint and the schema view;
- :mod:`~maintenance_panel.api.access`: the bearer token, its scope, the limit on
  refused attempts;
- :mod:`~maintenance_panel.api.changes`: reading a change from a POST's body;
- :mod:`~maintenance_panel.api.schema`: the OpenAPI 3.1 document.
"""
