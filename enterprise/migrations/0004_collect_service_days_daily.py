"""The service-day collection runs every day at 09:00 and collects on the days the working-day calendar makes
collection days: Tuesdays and Thursdays that are working days, and the first working day after a Tuesday or
Thursday off (which can be a Monday, a Wednesday or a make-up Saturday/Sunday)."""

from django.db import migrations

NAME = "Service-day order collection (Tue/Thu)"


def _point(apps, day_of_week: str):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="9", day_of_week=day_of_week,
                                                       day_of_month="*", month_of_year="*",
                                                       timezone="Asia/Shanghai")
    PeriodicTask.objects.filter(name=NAME).update(crontab=crontab)


def daily(apps, schema_editor):
    _point(apps, "*")


def tue_thu(apps, schema_editor):
    _point(apps, "2,4")


class Migration(migrations.Migration):
    dependencies = [("enterprise", "0003_defaults"), ("core", "0004_working_day_calendar_2026_2027")]
    operations = [migrations.RunPython(daily, tue_thu)]
