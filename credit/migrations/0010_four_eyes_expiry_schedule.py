from django.db import migrations

NAME = "Hourly four-eyes request expiry"


def create(apps, schema_editor):
    """An interval, not a crontab: housekeeping every hour, not one of the night's dated jobs (run_night runs the
    crontab jobs with the night's date)."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "credit.tasks.four_eyes_expire_hourly",
                                                            "interval": hourly})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0009_four_eyes_request"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
