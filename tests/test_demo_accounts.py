"""The demo set-up: real regions and one account per role."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_one_account_per_role_in_the_right_region(settings):
    settings.DEMO_PASSWORD = "sesame-2022"
    call_command("load_regions")
    call_command("create_demo_accounts")

    accounts = {u.username: (u.role, u.region_id) for u in User.objects.all()}
    assert accounts == {
        "bureau": ("bureau", "500156000000"),
        "staff-baima": ("township_staff", "500156101000"),
        "staff-houping": ("township_staff", "500156208000"),
        "assistant-baima": ("village_assistant", "500156101201"),
        "volunteer-demo": ("volunteer", "500156101201"),
        "operator-baima": ("facility_operator", "500156101000"),
    }
    assert User.objects.get(username="staff-houping").check_password("sesame-2022")


def test_running_it_again_resets_the_password_and_adds_no_one(settings):
    call_command("load_regions")
    call_command("create_demo_accounts")
    settings.DEMO_PASSWORD = "another-one-2022"
    call_command("create_demo_accounts")

    assert User.objects.count() == 6
    assert User.objects.get(username="bureau").check_password("another-one-2022")


def test_without_regions_it_says_what_to_run_first():
    with pytest.raises(CommandError, match="load_regions"):
        call_command("create_demo_accounts")
