"""The time bank's system accounts: the other side of every movement, and the district fund."""

from django.db import migrations

SYSTEM_KINDS = ("earning", "redemption", "expiry", "fund")


def open_accounts(apps, schema_editor):
    Account = apps.get_model("volunteers", "Account")
    for kind in SYSTEM_KINDS:
        Account.objects.get_or_create(kind=kind, volunteer=None)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(open_accounts, migrations.RunPython.noop)]
