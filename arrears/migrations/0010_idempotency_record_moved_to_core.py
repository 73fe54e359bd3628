"""The Idempotency-Key record now lives in core (core 0002 renamed the table): drop it from arrears' state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('arrears', '0009_ledger_waiver_index'),
        ('core', '0002_idempotency_record_from_arrears'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.DeleteModel(name='IdempotencyRecord'),
        ]),
    ]
