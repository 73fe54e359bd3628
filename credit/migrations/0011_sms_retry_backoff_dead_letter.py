"""SMS outbox: retries wait (next_attempt_at, exponential back-off), messages whose every attempt failed are dead
letters (was 'failed'), and the outbox is dispatched every minute by the scheduler (editable in admin)."""

from django.db import migrations, models

NAME = "SMS outbox dispatch"


def forward(apps, schema_editor):
    apps.get_model("credit", "SmsMessage").objects.filter(status="failed").update(status="dead")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    # A dispatch not started within 50 s is dropped: the next minute's takes over (no pile-up while workers are down).
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "credit.tasks.sms_dispatch",
                                                            "interval": every_minute, "expire_seconds": 50})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()
    apps.get_model("credit", "SmsMessage").objects.filter(status="dead").update(status="failed")


class Migration(migrations.Migration):

    dependencies = [
        ("credit", "0010_four_eyes_expiry_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="smsmessage",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, help_text="after a failed attempt: not retried before", null=True,
                                       verbose_name="next attempt at"),
        ),
        migrations.AlterField(
            model_name="smsmessage",
            name="status",
            field=models.CharField(choices=[("queued", "Queued"), ("sent", "Sent"), ("dead", "Dead letter")],
                                   default="queued", max_length=8, verbose_name="status"),
        ),
        migrations.RunPython(forward, backward),
    ]
