"""The idempotency record keeps the first answer's JSON text (a replay sends the same bytes; no jsonb parse of a
10,000-row bulk answer on every first post), compressed with lz4 where the server has it (pglz cost a tenth of a
second per bulk answer)."""

from django.db import migrations, models

LZ4 = """
DO $$ BEGIN
    ALTER TABLE core_idempotencyrecord ALTER COLUMN response SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
END $$"""


class Migration(migrations.Migration):
    dependencies = [("core", "0006_hlists_saved_filters")]

    operations = [
        migrations.AlterField(model_name="idempotencyrecord", name="response", field=models.TextField()),
        migrations.RunSQL(LZ4, migrations.RunSQL.noop),
    ]
