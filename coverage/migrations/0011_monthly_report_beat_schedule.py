"""The monthly reports in the beat schedule (a row the bureau's administrator can edit in the
admin): on the first of each month at 06:00 Wulong time, after the night's computation, the
previous month's reports of the district and its townships."""

from django.db import migrations

MONTHLY = "coverage: monthly reports"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="1", month_of_year="*",
        timezone="Asia/Shanghai",
    )  # fmt: skip
    PeriodicTask.objects.get_or_create(
        name=MONTHLY, defaults={"task": "coverage.monthly_reports", "crontab": crontab}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=MONTHLY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0010_monthly_report_pdf"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
