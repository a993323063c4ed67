"""Every admin's history page opens. The walk goes over every registered admin, so a new admin
whose model keeps no history cannot inherit a history page that fails."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, SolarSchedule
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken
from coverage.models import Indicator, Snapshot
from volunteers import ledger

from . import factories as f

pytestmark = pytest.mark.django_db

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def one_of_each(regions, admin_user, zhang):
    """A row of every model the admin shows (the plan's rows come with the database)."""
    banqiao = regions["banqiao"]
    facility = f.FacilityFactory(region=banqiao)
    bed = f.BedFactory(facility=facility)
    f.PlacementFactory(facility=facility, senior=zhang, bed=bed)
    f.StaffMemberFactory(facility=facility)
    f.CertificateFactory(staff=f.StaffMemberFactory(facility=facility))
    f.TrainingSessionFactory()
    f.UpgradeProjectFactory(facility=facility)
    f.QualityCheckFactory(facility=facility)
    f.OperatingFundFactory(facility=facility)
    f.AssessmentFactory(senior=zhang)
    f.VisitFactory(senior=zhang)
    helper = f.VolunteerFactory(village=banqiao)
    ledger.account_for(helper)
    f.GroupFactory()
    f.ElderlyCareAssistantFactory()
    f.PairingFactory(helper=helper, senior=zhang)
    f.ServiceLogFactory(volunteer=helper, senior=zhang)
    f.PolicyFactory()
    f.PersonViewFactory(senior=zhang, user=admin_user)
    f.RunFactory()
    f.ReportFactory()
    Snapshot.objects.create(
        date=datetime.date(2022, 12, 31),
        region=banqiao,
        indicator=Indicator.objects.first(),
        numerator=1,
        denominator=2,
    )
    ApiToken.objects.create(user=admin_user)
    # the admins of the libraries the project uses
    Group.objects.create(name="乡镇民政")
    attempt = {
        "user_agent": "curl",
        "ip_address": "127.0.0.1",
        "username": "bureau",
        "http_accept": "*/*",
        "path_info": "/login/",
        "attempt_time": timezone.now(),
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    AccessLog.objects.create(**attempt)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.create(event="sunrise", latitude=29.3, longitude=107.8)


def test_the_walk_finds_the_admins_of_the_time_bank_and_the_ledger():
    labels = {model._meta.label for model, _admin in ADMINS}
    assert {"volunteers.Account", "seniors.Senior", "accounts.User"} <= labels
    assert len(labels) >= 25


def test_an_admin_with_a_history_page_of_changes_has_a_model_that_keeps_them():
    wrong = [
        model._meta.label
        for model, model_admin in ADMINS
        if isinstance(model_admin, SimpleHistoryAdmin) and not hasattr(model, "history")
    ]
    assert wrong == []


@pytest.mark.parametrize("model", [model for model, _admin in ADMINS], ids=lambda m: m._meta.label)
def test_the_history_page_of_a_row_opens(rf, client, admin_user, one_of_each, model):
    request = rf.get("/admin/")
    request.user = admin_user
    row = admin.site._registry[model].get_queryset(request).first()
    assert row is not None, f"no {model._meta.label} in the fixture: add one"
    client.force_login(admin_user)
    client.raise_request_exception = False
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert "历史" in response.content.decode()
