"""Customer status is derived nightly (issue 13, item 4): the whole re-derivation (customers.batches.refresh_status)
at 00:45 (Asia/Shanghai), after the 00:30 arrears evaluation changed the night's lines."""

from django.db import migrations

NAME = "Nightly customer status (derived)"
TASK = "customers.tasks.refresh_status_nightly"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="45", hour="0", day_of_week="*", day_of_month="*",
                                                       month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_hintake_inputs"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
