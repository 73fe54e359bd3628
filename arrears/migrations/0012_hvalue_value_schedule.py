from django.db import migrations

SCHEDULES = {  # name: (task, hour) on the 1st of each month, Asia/Shanghai
    "Monthly customer value": ("arrears.tasks.customer_value_monthly", "3"),
    "Monthly customer value deciles": ("arrears.tasks.customer_value_deciles_monthly", "5"),
}


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, hour) in SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(minute="0", hour=hour, day_of_week="*", day_of_month="1",
                                                           month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("arrears", "0011_hvalue_customer_value"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
