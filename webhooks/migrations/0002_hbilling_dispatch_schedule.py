from django.db import migrations

NAME = "Webhook dispatch of decision events"


def create(apps, schema_editor):
    """An interval: billing learns a barring within seconds; each run queues the new events and sends what is due."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="seconds")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "webhooks.tasks.webhooks_dispatch",
                                                            "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_hbilling_webhooks"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
