"""The monthly enterprise snapshots are derived by the product (issue 13): the 1st of each month at 01:00
(Asia/Shanghai), before the 02:00 segmentation that reads them."""

from django.db import migrations

NAME = "Monthly enterprise snapshots (derived)"
TASK = "enterprise.tasks.snapshot_monthly"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="1", day_of_week="*", day_of_month="1",
                                                       month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("enterprise", "0007_hent_agreement_end_reason_default")]
    operations = [migrations.RunPython(create, remove)]
