"""Batch runs remember their last dispatch and chunks the worker that did them; the stalled-run sweep runs every
minute (core.tasks.resume_stalled_runs, editable in admin)."""

from django.db import migrations, models

NAME = "Resume stalled batch runs"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "core.tasks.resume_stalled_runs",
                                                            "interval": every_minute})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_working_day_calendar_2026_2027"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchchunk",
            name="done_by",
            field=models.CharField(blank=True, help_text="the Celery worker that did the chunk", max_length=150),
        ),
        migrations.AddField(
            model_name="batchrun",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last dispatched at"),
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
