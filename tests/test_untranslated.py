"""No English in the Chinese pages: every page of the dashboard rendered in zh-hans, and the
words people read as labels (<label>, <th>, <button>, <option>, <legend>, <summary>, headings,
placeholders and aria-labels) are Chinese. A msgid left untranslated, or a label made from a
field name (``capfirst`` of ``senior`` gives "Senior"), shows up as an English word here.

tests/test_translations.py checks that the .po file translates every msgid; this checks that
the pages use them. A new page route fails ``test_every_page_route_is_looked_at`` until it is
added to ``pages`` below (or to ``NOT_PAGES`` with the reason)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from dashboard import urls as dashboard_urls
from tests import factories as f
from tests.helpers import submit_claim

pytestmark = pytest.mark.django_db


# Latin words that belong in the Chinese pages: the language switch names itself; names of
# things as people write them in Chinese too (Excel, .xlsx, the Barthel index, GB/T standards)
ALLOWED = {"English", "Excel", "xlsx", "API", "Barthel", "GB"}
# English msgids once seen in these pages: they must never come back
KNOWN = ("Senior", "Bed", "Unknown", "Forbidden", "Name", "name")
WATCHED = ("label", "th", "button", "option", "legend", "summary", "h1", "h2", "h3", "a")
ATTRIBUTES = ("placeholder", "aria-label", "title")

# routes that are not pages to read: posts, downloads, the service worker
NOT_PAGES = {
    "senior_export": "an .xlsx download (tests/test_seniors_excel_export.py)",
    "senior_import_template": "an .xlsx download",
    "senior_import_preview": "needs an uploaded workbook (tests/test_seniors_excel_import.py)",
    "coverage_export": "an .xlsx download",
    "claim_verify": "POST only",
    "claim_reject": "POST only",
    "me_sw": "JavaScript",
    "senior_import_progress": "JSON for the progress bar (tests/test_seniors_import_limits.py)",
}


class Labels(HTMLParser):
    """The text inside the watched elements and the watched attributes of any element."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in WATCHED:
            self.depth += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in WATCHED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and data.strip():
            self.texts.append(data.strip())


def english_in(html: str, exempt: set[str]) -> list[str]:
    parser = Labels()
    parser.feed(html)
    found = []
    for text in parser.texts:
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED - exempt
        if words or text in KNOWN:
            found.append(text)
    return found


@pytest.fixture
def cast(regions, bureau, staff_baima, volunteer, helper, zhang, liu, today):
    """A senior, a facility with a bed, staff and a resident, a volunteer paired with 张大爷
    with a claim waiting, and an export in the audit log."""
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    bed = f.beds(home, 2)[0]
    worker = f.staff(home, 1)[0]
    worker.name = "刘护理"
    worker.save()
    placement = f.PlacementFactory(
        senior=liu, facility=home, bed=bed, kind="long_term", admitted_on=today
    )
    f.PairingFactory(helper=helper, senior=zhang, started_on=datetime.date(2026, 1, 1))
    submit_claim(volunteer, helper, zhang, 29, 8, notes="送餐")
    f.PersonViewFactory(
        user=bureau, region=regions["district"], channel="export", count=3,
        query="village=500156101201&disabled=true",
    )  # fmt: skip
    return {"facility": home, "bed": bed, "staff": worker, "placement": placement}


def pages(cast, zhang) -> dict[str, tuple[str, str]]:
    """Route name: (who opens it, its URL)."""
    home, bed, worker = cast["facility"].pk, cast["bed"].pk, cast["staff"].pk
    baima, banqiao, senior = "500156101000", "500156101201", zhang.pk
    bureau, staff, volunteer = "bureau", "staff-baima", "volunteer-demo"
    args = {
        "home": (bureau, []),
        "region": (bureau, [baima]),
        "audit_log": (bureau, []),
        "coverage_home": (bureau, []),
        "coverage": (bureau, [banqiao]),
        "coverage_trends": (bureau, [baima]),
        "coverage_gaps": (bureau, [baima]),
        "coverage_screen": (bureau, [baima]),
        # a report not built yet: the page with the button (built, it is a .pdf download)
        "coverage_report": (bureau, [baima, "2026-10"]),
        "senior_list": (staff, []),
        "senior_create": (staff, []),
        "senior_detail": (staff, [senior]),
        "senior_edit": (staff, [senior]),
        "senior_status": (staff, [senior]),
        "assessment_create": (staff, [senior]),
        "visit_create": (staff, [senior]),
        "senior_import": (staff, []),
        "facility_list": (bureau, []),
        "facility_create": (bureau, []),
        "facility_detail": (bureau, [home]),
        "facility_edit": (bureau, [home]),
        "facility_quality_check": (bureau, [home]),
        "facility_bed_add": (bureau, [home]),
        "facility_bed_retire": (bureau, [bed]),
        "facility_admit": (bureau, [home]),
        "facility_discharge": (bureau, [cast["placement"].pk]),
        "facility_staff_add": (bureau, [home]),
        "facility_staff_end": (bureau, [worker]),
        "facility_certificate_add": (bureau, [worker]),
        "facility_funds": (bureau, [home]),
        "pairing_overview": (staff, []),
        "volunteer_register": (staff, []),
        "claim_queue": (staff, []),
        "claim_paper": (staff, []),
        "me_home": (volunteer, []),
        "me_claim_new": (volunteer, []),
        "me_claims": (volunteer, []),
        "me_statement": (volunteer, []),
    }
    return {name: (who, reverse(f"dashboard:{name}", args=a)) for name, (who, a) in args.items()}


def test_every_page_route_is_looked_at(cast, zhang):
    routes = {p.name for p in dashboard_urls.urlpatterns}
    assert routes - set(pages(cast, zhang)) - set(NOT_PAGES) == set()


def test_the_pages_have_no_english_labels(client, cast, zhang, django_user_model):
    users = {u.username: u for u in django_user_model.objects.all()}
    # what users typed stays as typed: login names (shown in the header and the audit log)
    exempt = set(re.findall(r"[A-Za-z]{2,}", " ".join(users)))
    english = {}
    for name, (who, url) in pages(cast, zhang).items():
        client.force_login(users[who])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
        assert response.status_code == 200, (name, url, response.status_code)
        found = english_in(response.content.decode(), exempt)
        if found:
            english[name] = found
    assert english == {}


def test_the_to_do_pages_have_no_english_labels(client, cast, zhang, staff_baima, assistant_baima):
    """The home page is the to-do list for a township clerk and a village assistant."""
    for user in (staff_baima, assistant_baima):
        client.force_login(user)
        response = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "今日待办" in response.content.decode()
        exempt = set(re.findall(r"[A-Za-z]{2,}", user.username))
        assert english_in(response.content.decode(), exempt) == [], user.username


def test_the_error_pages_have_no_english_labels(client, volunteer, staff_baima):
    client.force_login(volunteer)  # no volunteer record: the volunteer's pages refuse
    refused = client.get(reverse("dashboard:me_home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert (refused.status_code, missing.status_code) == (403, 404)
    exempt = {"volunteer", "demo"}
    assert english_in(refused.content.decode(), exempt) == []
    assert english_in(missing.content.decode(), exempt) == []


def test_the_check_catches_an_untranslated_label():
    """The check itself: an English label, option or button is found, Chinese ones are not."""
    html = (
        "<label>Senior<select><option>全部</option><option>Unknown</option></select></label>"
        "<th>姓名</th><button>Save</button><input placeholder='Reason'><p>free text ok</p>"
    )
    assert english_in(html, set()) == ["Senior", "Unknown", "Save", "Reason"]
