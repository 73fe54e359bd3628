from django.db import migrations

SCHEDULES = [
    ("Nightly challenger credit model in shadow", "credit.tasks.challenger_shadow_nightly",
     {"minute": "0", "hour": "4", "day_of_month": "*", "month_of_year": "*"}),
    ("Monthly credit model stability (PSI)", "credit.tasks.model_stability_monthly",
     {"minute": "30", "hour": "4", "day_of_month": "1", "month_of_year": "*"}),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(day_of_week="*", timezone="Asia/Shanghai", **cron)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0014_hmodels_registry_impact_stability"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
