"""The Idempotency-Key record moves from arrears to core: onboarding and line writes use it too.

State only on the model side; the table is renamed, its rows (keys in use) kept."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('arrears', '0008_sp_settlement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("ALTER TABLE arrears_idempotencyrecord RENAME TO core_idempotencyrecord",
                                  "ALTER TABLE core_idempotencyrecord RENAME TO arrears_idempotencyrecord"),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('key', models.CharField(max_length=100)),
                        ('endpoint', models.CharField(max_length=100)),
                        ('request_hash', models.CharField(max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField()),
                        ('response', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                                   to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'),
                                                                name='idempotency_once_per_user_key')],
                    },
                ),
            ],
        ),
    ]
