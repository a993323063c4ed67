from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import user_upsert
from regions.models import Region

# (username, role, region code, display name, admin access)
DEMO_ACCOUNTS = [
    ("bureau", Role.BUREAU, "500156000000", "区民政局", True),
    ("staff-baima", Role.TOWNSHIP_STAFF, "500156101000", "白马镇民政办", False),
    ("staff-houping", Role.TOWNSHIP_STAFF, "500156208000", "后坪乡民政办", False),
    ("assistant-baima", Role.VILLAGE_ASSISTANT, "500156101201", "板桥村养老助理", False),
    ("volunteer-demo", Role.VOLUNTEER, "500156101201", "板桥村志愿者", False),
    # runs the 白马 care centre once generate_facilities has built it
    ("operator-baima", Role.FACILITY_OPERATOR, "500156101000", "白马片区照护中心运营方", False),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts, one per role, with the password from DEMO_PASSWORD "
        "(default eldercare-demo). Needs the regions loaded first."
    )

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        regions = Region.objects.in_bulk([code for _, _, code, _, _ in DEMO_ACCOUNTS])
        for username, role, code, display, is_staff in DEMO_ACCOUNTS:
            region = regions.get(code)
            if region is None:
                raise CommandError(
                    f"Region {code} is not loaded: run `manage.py load_regions` first."
                )
            user_upsert(
                username=username,
                password=password,
                role=role,
                region=region,
                first_name=display,
                is_staff=is_staff,
            )
            self.stdout.write(f"  {username:<16} {role.label:<32} {region.short_name}")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready; password: {password}"))
