from django.db import migrations
from django.utils import timezone

from arrears.policies import DEFAULT_POLICY


def create(apps, schema_editor):
    Version = apps.get_model("arrears", "BarringPolicyVersion")
    if not Version.objects.exists():
        Version.objects.create(version=DEFAULT_POLICY.version, config=DEFAULT_POLICY.config(),
                               published_at=timezone.now(), note="DOMAIN.md §5 defaults")


class Migration(migrations.Migration):
    dependencies = [("arrears", "0002_ledger_and_barring")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
