"""Seed the segmentation rules and class policy v1 from the policy defaults, and the schedules
(nightly segmentation, Tuesday/Thursday service-day collection), all editable in admin."""

from django.db import migrations

SCHEDULES = [
    ("Nightly enterprise segmentation", "enterprise.tasks.segment_nightly",
     {"minute": "0", "hour": "2", "day_of_week": "*"}),
    ("Service-day order collection (Tue/Thu)", "enterprise.tasks.collect_service_days",
     {"minute": "0", "hour": "9", "day_of_week": "2,4"}),
]


def create(apps, schema_editor):
    from enterprise.policies import DEFAULT_CLASS_POLICY, DEFAULT_RULES

    SegmentRule = apps.get_model("enterprise", "SegmentRule")
    for r in DEFAULT_RULES.values():
        SegmentRule.objects.get_or_create(code=r.code, defaults={
            "segment": r.segment, "direction": r.direction, "threshold": r.threshold, "note": r.measures,
            "alert": r.alert})
    apps.get_model("enterprise", "ClassPolicy").objects.get_or_create(version=1, defaults={
        **DEFAULT_CLASS_POLICY, "active": True, "note": "initial policy"})
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(day_of_month="*", month_of_year="*",
                                                           timezone="Asia/Shanghai", **cron)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()
    apps.get_model("enterprise", "SegmentRule").objects.all().delete()
    apps.get_model("enterprise", "ClassPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("enterprise", "0002_accounts_work_segmentation"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
