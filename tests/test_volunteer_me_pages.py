"""A volunteer's own pages (/me/): balance and what it buys, paired seniors, claims with their
status, the statement, the claim form without JS, and the service worker they register."""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.templatetags.static import static
from django.urls import reverse

from accounts.models import Role
from dashboard.views.me import cache_version
from tests import factories as f
from tests.helpers import submit_claim as claim
from volunteers.claims import claim_reject, claim_submit, claim_verify
from volunteers.models import ServiceLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
HOME = reverse("dashboard:me_home")
NEW = reverse("dashboard:me_claim_new")
CLAIMS = reverse("dashboard:me_claims")
STATEMENT = reverse("dashboard:me_statement")
SW = reverse("dashboard:me_sw")


@pytest.fixture
def helper(helper, zhang):
    """李志愿 of 板桥村 (the ``volunteer`` login), paired one-to-one with 张大爷, a visit a week
    since 2026-01-01."""
    f.PairingFactory(helper=helper, senior=zhang, started_on=datetime.date(2026, 1, 1))
    return helper


@pytest.fixture
def other(regions, liu):
    """Another volunteer, of 文凤村, with a login, paired with 刘奶奶 and a claim of their own."""
    user = f.UserFactory(
        username="volunteer-wenfeng", role=Role.VOLUNTEER, region=regions["wenfeng"]
    )
    other = f.VolunteerFactory(village=regions["wenfeng"], user=user, name="王其他")
    f.PairingFactory(
        helper=other, senior=liu, mode="grid", visit_interval_days=30,
        started_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    start = datetime.datetime(2026, 11, 28, 14, tzinfo=WULONG)
    claim_submit(
        by=user, volunteer=other, senior=liu, service_type="bathing", started_at=start,
        ended_at=start + datetime.timedelta(hours=3), notes="其他人的记录",
    )  # fmt: skip
    return other


@pytest.fixture
def history(volunteer, helper, zhang, assistant_baima, regions):
    """Verified 1 h (27th) and 1.5 h (28th): balance 2.5 h; a 2 h claim on the 26th rejected;
    a 0.5 h claim today still submitted. Items: rice 2.0 h (affordable), oil 3.0 h (too dear),
    soap 1.0 h (out of stock)."""
    claim_verify(by=assistant_baima, claim=claim(volunteer, helper, zhang, 27, 9, 1))
    claim_verify(by=assistant_baima, claim=claim(volunteer, helper, zhang, 28, 9, 1.5))
    claim_reject(
        by=assistant_baima, claim=claim(volunteer, helper, zhang, 26, 9, 2), reason="老人不在家"
    )
    claim(volunteer, helper, zhang, 29, 8, 0.5)
    for name, price, stock in (("大米5斤", "2.0", 3), ("菜籽油", "3.0", 5), ("肥皂", "1.0", 0)):
        f.CatalogueItemFactory(
            region=regions["banqiao"], name=name, hours_price=Decimal(price), stock=stock
        )


def test_it_shows_the_balance_what_it_buys_and_the_paired_seniors(
    client, volunteer, history, other
):
    client.force_login(volunteer)

    response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["balance"] == Decimal("2.5")
    assert [i.name for i in response.context["items"]] == ["大米5斤"]
    assert [p.senior.name for p in response.context["pairings"]] == ["张大爷"]
    assert [c.hours for c in response.context["claims"]] == [
        Decimal("0.5"), Decimal("1.5"), Decimal("1.0"), Decimal("2.0"),
    ]  # fmt: skip
    body = response.content.decode()
    assert "李志愿" in body and "2.5" in body and "大米5斤" in body
    assert "菜籽油" not in body and "肥皂" not in body


def test_another_volunteers_data_never_shows(client, volunteer, history, other):
    client.force_login(volunteer)

    for url in (HOME, CLAIMS, STATEMENT, NEW):
        body = client.get(url).content.decode()
        assert "刘奶奶" not in body, url
        assert "王其他" not in body and "其他人的记录" not in body, url


def test_claims_show_their_status_and_the_reason_for_a_rejection(client, volunteer, history):
    client.force_login(volunteer)

    response = client.get(CLAIMS)

    statuses = [(c.started_at.day, c.status) for c in response.context["claims"]]
    assert statuses == [(29, "submitted"), (28, "verified"), (27, "verified"), (26, "rejected")]
    assert "老人不在家" in response.content.decode()


def test_the_statement_has_a_running_balance_newest_first(client, volunteer, history):
    client.force_login(volunteer)

    response = client.get(STATEMENT)

    rows = [(e.amount, e.balance_after) for e in response.context["entries"]]
    assert rows == [(Decimal("1.5"), Decimal("2.5")), (Decimal("1.0"), Decimal("1.0"))]


def test_a_volunteer_without_hours_sees_zero_and_an_empty_statement(client, volunteer, helper):
    client.force_login(volunteer)

    assert client.get(HOME).context["balance"] == 0
    assert client.get(STATEMENT).context["entries"] == []


def form_data(senior, **changes):
    return {
        "client_uuid": str(uuid.uuid4()),
        "senior": senior.pk,
        "service_type": "companionship",
        "started_at": "2026-11-29T08:00",
        "duration": "90",
        "notes": "陪聊天",
        **changes,
    }


def test_the_form_offers_only_the_paired_seniors(client, volunteer, helper, zhang, other, liu):
    client.force_login(volunteer)

    form = client.get(NEW).context["form"]

    assert [name for _pk, name in form.fields["senior"].choices] == ["张大爷"]


def test_posting_without_js_creates_one_claim(client, volunteer, helper, zhang, today):
    client.force_login(volunteer)

    response = client.post(NEW, form_data(zhang))

    assert response.status_code == 302 and response["Location"] == CLAIMS
    claim = ServiceLog.objects.get()
    assert (claim.volunteer, claim.senior, claim.hours) == (helper, zhang, Decimal("1.5"))
    assert claim.started_at == datetime.datetime(2026, 11, 29, 8, tzinfo=WULONG)
    assert claim.status == "submitted" and claim.notes == "陪聊天"


def test_posting_the_same_client_uuid_twice_creates_one_claim(
    client, volunteer, helper, zhang, today
):
    client.force_login(volunteer)
    data = form_data(zhang)

    client.post(NEW, data)
    second = client.post(NEW, data, follow=True)

    assert ServiceLog.objects.count() == 1
    assert second.status_code == 200


def test_a_claim_breaking_a_rule_shows_why_and_saves_nothing(
    client, volunteer, helper, zhang, today
):
    client.force_login(volunteer)

    # 09:00 for 2 hours ends at 11:00, after "now" (10:00): in the future
    response = client.post(NEW, form_data(zhang, started_at="2026-11-29T09:00", duration="120"))

    assert response.status_code == 200
    assert response.context["form"].errors["duration"] == ["该时间在将来。"]
    assert ServiceLog.objects.count() == 0


def test_a_senior_not_paired_with_them_is_refused(client, volunteer, helper, liu, today):
    client.force_login(volunteer)

    response = client.post(NEW, form_data(liu))

    assert response.status_code == 200
    assert "senior" in response.context["form"].errors
    assert ServiceLog.objects.count() == 0


@pytest.mark.parametrize("url", [HOME, NEW, CLAIMS, STATEMENT, SW])
@pytest.mark.parametrize("who", ["staff_baima", "assistant_baima", "bureau", "outsider"])
def test_non_volunteers_are_refused(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 403


def test_a_volunteer_login_without_a_volunteer_record_is_refused(client, volunteer):
    client.force_login(volunteer)

    assert client.get(HOME).status_code == 403


def test_the_home_page_sends_a_volunteer_to_their_pages(client, volunteer, helper):
    client.force_login(volunteer)

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302 and response["Location"] == HOME
    # the header holds nothing a volunteer does not use (no region pages, no API): their
    # pages' own tabs are the navigation, the brand leads home
    assert client.get(HOME).context["menu"] == []


def test_the_service_worker_is_javascript_for_the_me_scope(client, volunteer, helper):
    client.force_login(volunteer)

    response = client.get(SW)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/me/"
    body = response.content.decode()
    # the assets under the names the pages load them by (hashed: the manifest storage)
    for url in (HOME, NEW, CLAIMS, STATEMENT, static("me/me.js"), static("me/me.css")):
        assert f'"{url}"' in body
    assert '"scope": "/me/"' in body
    assert 'const CACHE = "me-" + ME.version' in body


def test_the_cache_name_changes_with_the_assets():
    pages = ["/me/"]
    assert cache_version(pages, ["/static/me/me.js"]) != cache_version(
        pages, ["/static/me/me.abc123.js"]
    )
