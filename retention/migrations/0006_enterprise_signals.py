"""Agreement expiry and members leaving now read the enterprise app's agreements and monthly snapshots:
switch them on where they were still at their old 'no data yet' default."""

from django.db import migrations

OLD_NOTES = {
    "agreement_expiring": "No agreements in the enterprise app yet; fires nothing until they exist.",
    "members_leaving": "Enterprise membership history is not recorded yet; noop.",
}


def switch_on(apps, schema_editor):
    from retention.policies import DEFAULT_SIGNALS

    SignalConfig = apps.get_model("retention", "SignalConfig")
    for code, old_note in OLD_NOTES.items():
        SignalConfig.objects.filter(code=code, note=old_note).update(enabled=True, note=DEFAULT_SIGNALS[code].note)


class Migration(migrations.Migration):
    dependencies = [("retention", "0005_history_of_scan_settings"), ("enterprise", "0003_defaults")]
    operations = [migrations.RunPython(switch_on, migrations.RunPython.noop)]
