"""The authorisation matrix: every API route and every page with a record in its path, for
every role, against a record inside the role's region (板桥村, 白马镇) and one outside it
(文凤村, 后坪乡), with the status each must answer. A route missing from the matrix fails the
suite, so a new route cannot slip in unscoped.

Reading the table: ``IN`` is the status for the record in 板桥 (or 白马), ``OUT`` for the one
in 文凤 (or 后坪); roles are the bureau (b), township staff of 白马 (s), the assistant of 板桥
(a), the volunteer of 板桥 who is the helper in the pairings (v), a facility operator in 后坪
who runs none of these facilities (o) and a user with neither role nor region (x). For the
action routes (POST), the empty body makes an allowed role's answer 400 (the record was found
and the input checked), never 2xx.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from accounts.models import ApiToken, Role
from coverage.compute import compute
from coverage.models import Snapshot, Target
from tests import factories as f
from tests.helpers import walk
from volunteers import spending
from volunteers.claims import claim_submit
from volunteers.ledger import account_for, post_movement, system_account

pytestmark = pytest.mark.django_db

ROLES = ("b", "s", "a", "v", "o", "x")


def _side(world, region_village, region_township, senior, user_for_volunteer, tag):
    """One side of the world: records of every kind in a village and its township."""
    at = datetime.datetime(2026, 11, 28, 9, tzinfo=datetime.UTC)
    point = f.FacilityFactory(kind="mutual_aid_point", region=region_village, name=f"{tag}点")
    home = f.FacilityFactory(kind="nursing_home", region=region_township, name=f"{tag}敬老院")
    bed = f.BedFactory(
        facility=home, label="001", kind="nursing", in_use_from=datetime.date(2020, 1, 1)
    )
    placement = f.PlacementFactory(
        senior=senior, facility=home, bed=bed, admitted_on=datetime.date(2025, 1, 1)
    )
    staff = f.StaffMemberFactory(
        facility=home, name=f"{tag}护理员", role="caregiver", started_on=datetime.date(2020, 1, 1)
    )
    training = f.TrainingSessionFactory(
        kind="caregiver",
        title=f"{tag}培训",
        held_on=datetime.date(2025, 5, 1),
        organiser="x",
        hours=8,
        region=region_township,
    )
    project = f.UpgradeProjectFactory(
        facility=home, kind="upgrade", title="提档", budget=1, status="planned"
    )
    assessment = f.AssessmentFactory(senior=senior)
    visit = f.VisitFactory(senior=senior, visited_at=at)
    volunteer = f.VolunteerFactory(village=region_village, user=user_for_volunteer)
    team = f.GroupFactory(
        kind="volunteer_team",
        name=f"{tag}队",
        region=region_village,
        founded_on=datetime.date(2022, 1, 1),
    )
    association = f.GroupFactory(
        kind="elders_association",
        name=f"{tag}老协",
        region=region_village,
        founded_on=datetime.date(2022, 1, 1),
    )
    group = f.villager_group(region_village, 9)
    mutual = f.GroupFactory(
        kind="mutual_aid_group",
        name=f"{tag}互助组",
        region=group,
        founded_on=datetime.date(2022, 1, 1),
    )
    assistant = f.ElderlyCareAssistantFactory(
        village=region_village, name=f"{tag}助理", started_on=datetime.date(2022, 1, 1)
    )
    pairing = f.PairingFactory(
        helper=volunteer,
        senior=senior,
        mode="one_to_one",
        visit_interval_days=7,
        started_on=datetime.date(2025, 1, 1),
    )
    account = account_for(volunteer)
    post_movement(
        kind="earn",
        source=system_account("earning"),
        target=account,
        hours=Decimal(5),
        by=world["bureau"],
    )
    item = f.CatalogueItemFactory(region=region_township, name=f"{tag}米", hours_price=1, stock=10)
    redemption, _created = spending.timebank_redeem(
        by=world["bureau"], account=account, item=item, quantity=1
    )
    other = account_for(f.VolunteerFactory(village=region_village))
    transfer, _created = spending.timebank_transfer(
        by=world["bureau"],
        from_account=account,
        to_account=other,
        hours=Decimal(1),
        relation="子女",
    )
    claim, _ = claim_submit(
        by=world["bureau"],
        volunteer=volunteer,
        senior=senior,
        service_type="inspection",
        started_at=at,
        ended_at=at + datetime.timedelta(hours=1),
        from_paper=True,
        client_uuid=uuid.uuid4(),
    )
    snapshot = Snapshot.objects.filter(region_id=region_village.code).first()
    token_owner = user_for_volunteer or f.UserFactory(
        username=f"token-{tag}", role=Role.VOLUNTEER, region=region_village
    )
    token = ApiToken.objects.create(user=token_owner)[0]
    # a file uploaded by the township: checked, waiting for its confirmation
    senior_import = f.SeniorImportFactory(
        region=region_township, created_by=world["bureau"], status="previewed", progress=100
    )
    return {
        "token": token.public_id,
        "region": region_village.code,
        "senior": senior.pk,
        "assessment": assessment.pk,
        "visit": visit.pk,
        "facility": home.pk,
        "point": point.pk,
        "bed": bed.pk,
        "placement": placement.pk,
        "staff": staff.pk,
        "training": training.pk,
        "project": project.pk,
        "volunteer": volunteer.pk,
        "team": team.pk,
        "association": association.pk,
        "mutual": mutual.pk,
        "assistant": assistant.pk,
        "pairing": pairing.pk,
        "account": account.pk,
        "redemption": redemption.pk,
        "transfer": transfer.pk,
        "item": item.pk,
        "claim": claim.pk,
        "snapshot": snapshot.pk if snapshot else 0,
        "township": region_township.code,
        "target": Target.objects.order_by("pk").first().pk,
        "indicator": "care_centres",
        "import": str(senior_import.pk),
    }


@pytest.fixture
def world(
    regions,
    bureau,
    staff_baima,
    assistant_baima,
    volunteer,
    operator_houping,
    outsider,
    zhang,
    liu,
    today,
):
    f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], name="预建点")
    f.FacilityFactory(kind="mutual_aid_point", region=regions["wenfeng"], name="预建点2")
    compute(today)
    users = {
        "b": bureau,
        "s": staff_baima,
        "a": assistant_baima,
        "v": volunteer,
        "o": operator_houping,
        "x": outsider,
    }
    w = {"bureau": bureau}
    inside = _side(w, regions["banqiao"], regions["baima"], zhang, volunteer, "板桥")
    outside = _side(w, regions["wenfeng"], regions["houping"], liu, None, "文凤")
    return {"users": users, "in": inside, "out": outside}


# route name → (the record in its path, "IN/OUT" status for the roles b s a v o x). Reviewed:
# no role ever gets 200, 400 or 302 for a record outside its region (the operator's region is
# 后坪, so 文凤's region and 后坪's training session are inside for it: not personal data).
EXPECTED = {
    "region-detail": ("region", "200/200 200/404 200/404 200/404 404/200 403/403"),
    "senior-detail": ("senior", "200/200 200/404 200/404 404/404 404/404 403/403"),
    "senior-status": ("senior", "400/400 400/404 403/403 403/403 403/403 403/403"),
    "assessment-detail": ("assessment", "200/200 200/404 200/404 404/404 404/404 403/403"),
    "visit-detail": ("visit", "200/200 200/404 200/404 404/404 404/404 403/403"),
    "facility-detail": ("facility", "200/200 200/404 404/404 404/404 404/404 403/403"),
    "facility-operating-funds": ("facility", "400/400 400/404 403/403 403/403 404/404 403/403"),
    "facility-quality-checks": ("facility", "400/400 400/404 403/403 403/403 403/403 403/403"),
    "bed-detail": ("bed", "200/200 200/404 404/404 404/404 404/404 403/403"),
    "bed-retire": ("bed", "400/400 400/404 403/403 403/403 404/404 403/403"),
    "placement-detail": ("placement", "200/200 200/404 404/404 404/404 404/404 403/403"),
    "placement-discharge": ("placement", "400/400 400/404 403/403 403/403 404/404 403/403"),
    "staff-detail": ("staff", "200/200 200/404 404/404 404/404 404/404 403/403"),
    "staff-certificates": ("staff", "400/400 400/404 403/403 403/403 404/404 403/403"),
    "staff-end": ("staff", "400/400 400/404 403/403 403/403 404/404 403/403"),
    "training-detail": ("training", "200/200 200/404 200/404 404/404 404/200 403/403"),
    "training-attendances": ("training", "200/200 200/404 200/404 404/404 404/200 403/403"),
    "upgrade-project-detail": ("project", "200/200 200/404 404/404 404/404 404/404 403/403"),
    "upgrade-project-indicator-checks": (
        "project",
        "400/400 400/404 403/403 403/403 403/403 403/403",
    ),
    "upgrade-project-milestones": ("project", "400/400 400/404 403/403 403/403 403/403 403/403"),
    "volunteer-detail": ("volunteer", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "team-detail": ("team", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "association-detail": ("association", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "mutual-aid-group-detail": ("mutual", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "assistant-detail": ("assistant", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "pairing-detail": ("pairing", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "pairing-end": ("pairing", "400/400 400/404 400/404 403/403 403/403 403/403"),
    "timebank-account-detail": ("account", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-account-affordable": ("account", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-account-grant": ("account", "400/400 400/404 400/404 400/404 404/404 403/403"),
    "timebank-account-statement": ("account", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-redemption-detail": ("redemption", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-transfer-detail": ("transfer", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-catalogue-detail": ("item", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-service-log-detail": ("claim", "200/200 200/404 200/404 200/404 404/404 403/403"),
    "timebank-service-log-reject": ("claim", "400/400 400/404 400/404 400/404 403/403 403/403"),
    "timebank-service-log-verify": ("claim", "200/200 200/404 200/404 403/404 403/403 403/403"),
    "coverage-indicator-detail": ("indicator", "200/200 200/200 200/200 200/200 200/200 403/403"),
    "coverage-target-detail": ("target", "200/200 200/200 200/200 200/200 200/200 403/403"),
    "coverage-snapshot-detail": ("snapshot", "200/200 200/404 200/404 404/404 404/404 403/403"),
    # an API token: the bureau sees everyone's in its region, the others only their own (the
    # one inside belongs to the volunteer of 板桥)
    "auth-token-detail": ("token", "200/200 404/404 404/404 200/404 404/404 403/403"),
    "region": ("region", "200/200 200/404 200/404 200/404 404/200 404/404"),
    "coverage": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "coverage_trends": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "coverage_gaps": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "coverage_export": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "coverage_screen": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "coverage_report": ("region", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "senior_detail": ("senior", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "senior_edit": ("senior", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "senior_status": ("senior", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "assessment_create": ("senior", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "visit_create": ("senior", "200/200 200/404 200/404 403/403 403/403 403/403"),
    "senior_import_preview": ("import", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "senior_import_progress": ("import", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "facility_detail": ("facility", "200/200 200/404 404/404 403/403 404/404 403/403"),
    "facility_edit": ("facility", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_quality_check": ("facility", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "facility_bed_add": ("facility", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_bed_retire": ("bed", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_admit": ("facility", "200/200 200/404 403/403 403/403 403/403 403/403"),
    "facility_discharge": ("placement", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_staff_add": ("facility", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_staff_end": ("staff", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_certificate_add": ("staff", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "facility_funds": ("facility", "200/200 200/404 403/403 403/403 404/404 403/403"),
    "claim_verify": ("claim", "302/302 302/404 302/404 403/403 403/403 403/403"),
    "claim_reject": ("claim", "302/302 302/404 302/404 403/403 403/403 403/403"),
}


def record_routes():
    """(kind, name, route) of every route with a record in its path."""
    for route, pattern in walk(get_resolver().url_patterns):
        names = set(pattern.pattern.regex.groupindex)
        if "format" in names or not (names & {"pk", "code"}) or route.startswith("admin/"):
            continue
        yield ("api" if route.startswith("api/") else "page"), pattern.name, route


def key_of(name: str) -> str | None:
    for prefix in sorted(RECORDS, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "-") or name.startswith(prefix + "_"):
            return RECORDS[prefix]
    return None


def path_of(kind, name, route, value):
    param = "code" if ("<str:code>" in route or "(?P<code>" in route) else "pk"
    kwargs = {param: value}
    if "<str:month>" in route:  # the last month ended on the suite's today (the monthly report)
        kwargs["month"] = "2026-10"
    return reverse(f"{'api' if kind == 'api' else 'dashboard'}:{name}", kwargs=kwargs)


def answer(client, path):
    """GET the path; a route that takes only POST is POSTed with an empty body."""
    response = client.get(path)
    if response.status_code == 405:
        response = (
            client.post(path, {}, format="json")
            if hasattr(client, "credentials")
            else client.post(path, {})
        )
    return response.status_code


def observed(world, api_as, client):
    table = {}
    for kind, name, route in record_routes():
        key = key_of(name)
        cells = []
        for role in ROLES:
            user = world["users"][role]
            if kind == "api":
                who = api_as(user)
            else:
                client.force_login(user)
                who = client
            codes = []
            for side in ("in", "out"):
                value = world[side].get(key, "0") if key else "0"
                codes.append(str(answer(who, path_of(kind, name, route, value))))
            cells.append("/".join(codes))
        table[name] = (key, " ".join(cells))
    return table


def test_every_route_with_a_record_answers_every_role_as_the_matrix_says(world, api_as, client):
    routes = {name for _, name, _ in record_routes()}
    missing = routes - set(EXPECTED)
    assert not missing, f"add these routes to EXPECTED: {sorted(missing)}"
    seen = observed(world, api_as, client)
    wrong = {
        name: (seen[name][1], EXPECTED[name][1])
        for name in EXPECTED
        if seen.get(name, (None, None))[1] != EXPECTED[name][1]
    }
    assert not wrong, "\n".join(f"{n}: got {g}, expected {e}" for n, (g, e) in wrong.items())


def test_no_role_reads_or_acts_on_a_record_outside_its_region():
    """The table's promise, checked on the table itself."""
    for name, (_key, cells) in EXPECTED.items():
        for role, cell in zip(ROLES, cells.split(), strict=True):
            outside = cell.split("/")[1]
            if role == "b" or name in REFERENCE or (role == "o" and name in OPERATORS_REGION):
                continue
            assert outside in ("403", "404"), (name, role, cell)


# the plan's indicators and targets: the same for every user with a region
REFERENCE = {"coverage-indicator-detail", "coverage-target-detail"}
OPERATORS_REGION = {"region-detail", "region", "training-detail", "training-attendances"}


GET_ACTIONS = {
    "affordable",
    "statement",
    "operating-funds",
    "quality-checks",
    "attendances",
    "milestones",
    "indicator-checks",
    "certificates",
}
RECORDS = {
    "region": "region",
    "senior": "senior",
    "assessment": "assessment",
    "visit": "visit",
    "facility": "facility",
    "bed": "bed",
    "placement": "placement",
    "staff": "staff",
    "training": "training",
    "upgrade-project": "project",
    "volunteer": "volunteer",
    "team": "team",
    "association": "association",
    "mutual-aid-group": "mutual",
    "assistant": "assistant",
    "pairing": "pairing",
    "timebank-account": "account",
    "timebank-redemption": "redemption",
    "timebank-transfer": "transfer",
    "timebank-catalogue": "item",
    "timebank-service-log": "claim",
    "coverage-snapshot": "snapshot",
    "coverage-target": "target",
    "coverage-indicator": "indicator",
    "auth-token": "token",
    # pages
    "assessment_create": "senior",
    "visit_create": "senior",
    "senior_import_preview": "import",
    "senior_import_progress": "import",
    "facility_bed": "bed",
    "facility_discharge": "placement",
    "facility_staff_end": "staff",
    "facility_certificate_add": "staff",
    "claim": "claim",
    "coverage": "region",
    "facility_bed_add": "facility",
}


def list_routes():
    """(kind, path) of every route without a record in its path (lists, forms, exports)."""
    for route, pattern in walk(get_resolver().url_patterns):
        names = set(pattern.pattern.regex.groupindex)
        if names or route.startswith("admin/") or pattern.name in NOT_LISTS:
            continue
        namespace = "api" if route.startswith("api/") else "dashboard"
        if namespace == "dashboard" and not pattern.callback.__module__.startswith("dashboard"):
            continue
        yield namespace, reverse(f"{namespace}:{pattern.name}")


# routes that list nothing of anyone's (the schema and its docs, the token login, the root)
NOT_LISTS = {"schema", "docs", "token", "api-root", "me_sw"}
# words that only records of 文凤 / 后坪 carry
OUTSIDE_WORDS = ("刘奶奶", "文凤", "后坪")


def test_no_list_page_or_export_shows_anything_of_another_township(world, api_as, client):
    checked = 0
    for role in ("s", "a", "v"):
        user = world["users"][role]
        client.force_login(user)
        for namespace, path in list_routes():
            response = api_as(user).get(path) if namespace == "api" else client.get(path)
            assert response.status_code in (200, 302, 403, 405), (role, path)
            if response.status_code != 200:
                continue
            body = response.content.decode(errors="replace") if "xlsx" not in path else ""
            for word in OUTSIDE_WORDS:
                assert word not in body, (role, path, word)
            checked += 1
    assert checked >= 30
