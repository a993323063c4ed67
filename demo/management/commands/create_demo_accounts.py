from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import RegionsMissing, demo_accounts_upsert


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts, one per role, with the password from DEMO_PASSWORD "
        "(default eldercare-demo). Needs the regions loaded first."
    )

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        try:
            accounts = demo_accounts_upsert(password=password)
        except RegionsMissing as missing:
            raise CommandError(
                f"Region {missing} is not loaded: run `manage.py load_regions` first."
            ) from None
        for account, user in accounts:
            self.stdout.write(
                f"  {account.username:<16} {account.role.label:<32} {user.region.short_name}"
            )
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready; password: {password}"))
