"""What the people's screens say, in Chinese: the volunteer's statement and balance, the
audit log's filters, the 403 pages, the register's yes/no filters, people's 姓名, the
villager groups of the chosen village, the header and the admission form."""

import datetime
import re
from decimal import Decimal

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.helpers import page_text as text
from tests.helpers import submit_claim as claim
from volunteers import ledger, spending
from volunteers.claims import claim_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper(helper, zhang):
    """李志愿 of 板桥村 (the ``volunteer`` login), paired one-to-one with 张大爷, a visit a week
    since 2026-01-01."""
    f.PairingFactory(helper=helper, senior=zhang, started_on=datetime.date(2026, 1, 1))
    return helper


# --- the volunteer's statement and balance ----------------------------------------------------


def test_the_statement_tells_a_chosen_donation_from_the_storage_cap(
    client, volunteer, helper, zhang, assistant_baima, today
):
    """Verified 3 h; 1 h given to the fund by choice; then the cap lowered to 1.5 h moves the
    0.5 h above it: 3 − 1 − 0.5 = 1.5 h."""
    claim_verify(by=assistant_baima, claim=claim(volunteer, helper, zhang, 28, 9, 3))
    account = ledger.account_for(helper)
    spending.timebank_transfer(
        by=volunteer, from_account=account, to_account=ledger.system_account("fund"),
        hours=Decimal("1"),
    )  # fmt: skip
    f.PolicyFactory(storage_cap_hours=Decimal("1.5"))
    spending.apply_storage_cap(by=None, account=account)
    client.force_login(volunteer)
    entries = client.get(reverse("dashboard:me_statement")).context["entries"]

    rows = [(e.label, e.amount) for e in entries]

    assert rows == [
        ("超出存储上限，转入基金", Decimal("-0.5")),
        ("捐入基金", Decimal("-1")),
        ("服务审核通过获得", Decimal("3")),
    ]
    page = text(client.get(reverse("dashboard:me_statement")))
    assert page.count("超出存储上限") == 1, "the cap is said once, not in the memo again"
    assert "捐入基金（超出存储上限）" not in page


def test_the_balance_shows_the_hours_waiting_for_verification(
    client, volunteer, helper, zhang, assistant_baima, today
):
    """2 h verified; 1 h and 0.5 h waiting: 1.5 h pending beside the 2 h."""
    claim_verify(by=assistant_baima, claim=claim(volunteer, helper, zhang, 27, 9, 2))
    claim(volunteer, helper, zhang, 28, 9, 1)
    claim(volunteer, helper, zhang, 29, 8, 0.5)
    client.force_login(volunteer)

    page = text(client.get(reverse("dashboard:me_home")))

    assert "2.0 小时" in page
    assert "另有 1.5 小时待审核" in page


def test_the_claim_form_starts_with_a_service_that_has_just_ended(client, volunteer, helper, today):
    """At 10:00 the default is 1 hour from 09:00: it ends now, so it is not in the future."""
    client.force_login(volunteer)

    form = client.get(reverse("dashboard:me_claim_new")).context["form"]

    assert form["started_at"].value() == datetime.datetime(2026, 11, 29, 9, 0)  # Wulong time
    assert form["duration"].value() == 60
    assert [label for _m, label in form.fields["duration"].choices][:4] == [
        "30 分钟", "1 小时", "1.5 小时", "2 小时",
    ]  # fmt: skip


# --- the audit log, the 403 pages, the header ---------------------------------------------------


def test_the_audit_log_says_an_exports_filters_in_words(client, bureau, regions):
    f.PersonViewFactory(
        user=bureau, region=regions["district"], channel="export", count=12,
        query="village=500156101201&subsistence_allowance=true&status=active&q=%E5%BC%A0",
    )  # fmt: skip
    client.force_login(bureau)

    page = text(client.get(reverse("dashboard:audit_log")))

    assert "12 人，筛选条件：村（社区）：板桥村；低保：是；状态：在册；姓名或身份证号：张" in page
    assert "village=" not in page and "%E5" not in page


@pytest.mark.parametrize(
    "url", [reverse("dashboard:audit_log"), reverse("dashboard:me_home"), "/claims/"]
)
def test_a_refused_page_is_chinese_with_a_way_back(client, volunteer, url):
    """A volunteer without a volunteer record opens a page that is not theirs."""
    client.force_login(volunteer)

    response = client.get(url)

    assert response.status_code == 403
    page = text(response)
    assert "无权访问" in page and "Forbidden" not in page
    assert 'href="/"' in response.content.decode() and "返回我的首页" in page


def test_a_form_sent_without_its_csrf_token_is_refused_in_chinese(staff_baima):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_baima)

    response = client.post(reverse("dashboard:senior_create"), {})

    assert response.status_code == 403
    assert "表单已过期" in text(response) and "Forbidden" not in text(response)


def test_the_header_says_the_bureau_once(client, bureau):
    bureau.first_name = "区民政局"
    bureau.save()
    client.force_login(bureau)

    page = text(client.get("/"))

    assert "区民政局 · 区民政局" not in page
    assert "区民政局" in page


def test_a_volunteers_header_offers_neither_region_pages_nor_the_api(client, volunteer, helper):
    client.force_login(volunteer)

    header = re.search(r"<header.*?</header>", client.get("/me/").content.decode(), re.S)[0]

    assert "我的辖区" not in header and "接口" not in header and "API" not in header


# --- the register -------------------------------------------------------------------------------


def test_the_registers_yes_no_filters_offer_all_yes_no(client, staff_baima):
    client.force_login(staff_baima)

    form = client.get(reverse("dashboard:senior_list")).context["filter"].form
    html = str(form["subsistence_allowance"])

    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    assert options == [("", "全部"), ("true", "是"), ("false", "否")]
    assert "未知" not in str(form)


def test_a_yes_no_filter_left_at_all_filters_nothing(client, staff_baima, zhang, liu):
    f.SeniorFactory(village=zhang.village, name="王低保", subsistence_allowance=True)
    client.force_login(staff_baima)

    every = client.get(reverse("dashboard:senior_list"), {"subsistence_allowance": ""})
    yes = client.get(reverse("dashboard:senior_list"), {"subsistence_allowance": "true"})

    assert sorted(s.name for s in every.context["page"]) == ["张大爷", "王低保"]
    assert [s.name for s in yes.context["page"]] == ["王低保"]


def test_people_are_labelled_by_their_full_name(client, staff_baima, zhang):
    client.force_login(staff_baima)

    listing = client.get(reverse("dashboard:senior_list")).content.decode()
    form = client.get(reverse("dashboard:senior_create")).context["form"]

    assert "<th>姓名</th>" in listing and "<th>名称</th>" not in listing
    assert form.fields["name"].label == "姓名"


def test_the_villager_groups_offered_are_those_of_the_chosen_village(
    client, staff_baima, zhang, regions
):
    f.villager_group(regions["tiefosi"], 1)
    client.force_login(staff_baima)

    new = client.get(reverse("dashboard:senior_create")).context["form"]
    edit = client.get(reverse("dashboard:senior_edit", args=[zhang.pk])).context["form"]

    # without a village yet: every group the clerk may see, narrowed on the page by the JS
    assert len(list(new.fields["villager_group"].queryset)) == 4
    assert sorted(g.code for g in edit.fields["villager_group"].queryset) == [
        "500156101201001", "500156101201002", "500156101201003",
    ]  # fmt: skip
    page = client.get(reverse("dashboard:senior_create")).content.decode()
    assert static("js/senior-form.js") in page


def test_a_group_of_another_village_is_refused_and_nothing_changes(
    client, staff_baima, zhang, regions
):
    other = f.villager_group(regions["tiefosi"], 1)
    client.force_login(staff_baima)

    response = client.post(
        reverse("dashboard:senior_create"),
        {
            "id_number": "50023219300115011X", "name": "王大爷", "village": "500156101201",
            "villager_group": other.code, "living_situation": "alone",
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "villager_group" in response.context["form"].errors
    assert not type(zhang).objects.filter(name="王大爷").exists()


def test_the_admission_form_is_labelled_in_chinese(client, bureau, regions, zhang):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 1)
    client.force_login(bureau)

    form = client.get(reverse("dashboard:facility_admit", args=[home.pk])).context["form"]

    assert (form.fields["senior"].label, form.fields["bed"].label) == ("老年人", "床位")
