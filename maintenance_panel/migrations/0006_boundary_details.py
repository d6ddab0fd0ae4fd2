from typing import Any

from django.db import migrations, models


def switched_on_when_last_changed(apps: Any, schema_editor: Any) -> None:
    """A switch that is on already was turned on at its last change, at the latest."""
    config_model = apps.get_model("maintenance_panel", "MaintenanceConfig")
    config_model.objects.using(schema_editor.connection.alias).filter(
        enabled=True, switched_on_at__isnull=True
    ).update(switched_on_at=models.F("changed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance_panel", "0005_notification_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="maintenanceconfig",
            name="switched_on_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="switched on at"),
        ),
        migrations.RunPython(switched_on_when_last_changed, migrations.RunPython.noop),
    ]
