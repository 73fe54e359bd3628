"""Seed the signal settings from the policy defaults, and the nightly scan schedule (editable in admin)."""

from django.db import migrations

SCHEDULE = ("Nightly retention scan", "retention.tasks.scan_retention_nightly",
            {"minute": "30", "hour": "1", "day_of_month": "*", "month_of_year": "*"})


def create(apps, schema_editor):
    from retention.policies import DEFAULT_SIGNALS

    SignalConfig = apps.get_model("retention", "SignalConfig")
    for s in DEFAULT_SIGNALS.values():
        SignalConfig.objects.get_or_create(code=s.code, defaults={
            "enabled": s.enabled, "threshold": s.threshold, "weight": s.weight, "note": s.note})
    apps.get_model("retention", "ScanSettings").objects.get_or_create(pk=1)
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, cron = SCHEDULE
    crontab, _ = CrontabSchedule.objects.get_or_create(day_of_week="*", timezone="Asia/Shanghai", **cron)
    PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()
    apps.get_model("retention", "SignalConfig").objects.all().delete()
    apps.get_model("retention", "ScanSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
