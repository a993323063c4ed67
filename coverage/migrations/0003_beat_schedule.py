"""The beat schedule of the coverage engine, as rows the bureau's administrator can edit in the
admin (django-celery-beat's database scheduler): every night at 02:00 Wulong time a full
computation; every 5 minutes the townships whose records changed."""

from django.db import migrations

NIGHTLY = "coverage: every region, nightly"
DIRTY = "coverage: changed townships"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )  # fmt: skip
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NIGHTLY, defaults={"task": "coverage.nightly", "crontab": crontab}
    )
    PeriodicTask.objects.get_or_create(
        name=DIRTY, defaults={"task": "coverage.recompute_dirty", "interval": every_five}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[NIGHTLY, DIRTY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0002_targets_2022"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
