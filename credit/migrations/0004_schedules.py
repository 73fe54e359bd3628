from django.db import migrations

SCHEDULES = [
    ("Monthly base credit rating", "credit.tasks.rate_base_monthly", {"minute": "0", "hour": "2", "day_of_month": "1",
                                                                        "month_of_year": "*"}),
    ("Half-yearly guidance re-rating", "credit.tasks.rate_guidance_half_yearly",
     {"minute": "0", "hour": "3", "day_of_month": "1", "month_of_year": "1,7"}),
    ("Daily star distribution snapshot", "credit.tasks.star_snapshot_daily",
     {"minute": "30", "hour": "5", "day_of_month": "*", "month_of_year": "*"}),
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
    dependencies = [("credit", "0003_starsnapshot"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
