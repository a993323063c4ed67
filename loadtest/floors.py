"""``/bench/floor/…``: the lean floor of each key endpoint, for the load test (``loadtest/run.py``).

Each view answers the same JSON as its app endpoint for the same user and the same data, with
the leanest Django code one could write for it: the same knox token, the same scoping rule
(``regions.scoping``), the same masking (``audit.personal``) and the same domain services for the
writes (the rules of a registration, a claim and a verification are the work, not overhead), but
no DRF: one ``.values()`` query for the rows, the filters staff use read by hand, and
``JsonResponse``. The load run measures each app endpoint's CPU per request beside its floor's;
``tests/test_loadtest_floors.py`` keeps the floors honest (same JSON as the app).

- ``GET /bench/floor/seniors/``: ``GET /api/v1/seniors/`` with the filters staff use;
- ``POST /bench/floor/seniors/``: ``POST /api/v1/seniors/``;
- ``POST /bench/floor/service-logs/``: ``POST /api/v1/timebank/service-logs/`` (a claim);
- ``POST /bench/floor/service-logs/<id>/verify/``: ``POST …/service-logs/<id>/verify/``;
- ``GET /bench/floor/coverage/snapshots/``: ``GET /api/v1/coverage/snapshots/``.

The routes exist only when the process is started with ``BENCH_FLOOR_VIEWS=1`` (the load runner
sets it for its gunicorn, as ``BENCH_BARE_VIEW`` for ``loadtest/bare.py``): only then does
``eldercare/urls.py`` include this module, whose ``urlpatterns`` is empty otherwise too. Only
the happy paths and the refusals a client meets first (401, 403, 404, a domain rule's 400) are
answered; anything else a floor does not know is a 400 with a short message, which the app
would word differently.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from decimal import Decimal
from hmac import compare_digest

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, OuterRef, Q, Subquery
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.models import ApiToken
from audit.personal import Context, Number, masked, shown
from coverage.models import Snapshot
from regions.models import Level, Region, prefix_of_code
from regions.scoping import NO_SCOPE_MESSAGE, scope_prefix
from seniors import rules, services
from seniors.models import DISABLED_LEVELS, HIGH_AGE, Senior, Visit, years_before
from seniors.selectors import Allowance, eligible_q
from volunteers import claims
from volunteers import rules as volunteer_rules
from volunteers.models import ServiceLog, Volunteer

ENV_FLAG = "BENCH_FLOOR_VIEWS"
PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"] and api.pagination's limit
MAX_PAGE_SIZE = 500
JSON = {"ensure_ascii": False, "separators": (",", ":")}  # DRF's compact UTF-8 rendering


class Refused(Exception):
    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body


def answer(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params=JSON)


def floor(view):
    """Token authentication and the refusals every floor shares, around ``view(request, user)``."""

    @login_not_required
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        try:
            user = token_user(request)
            request.user = user  # the view log and the history read it, as under DRF
            if scope_prefix(user) is None:
                raise Refused(403, {"detail": str(NO_SCOPE_MESSAGE)})
            return view(request, user, *args, **kwargs)
        except Refused as refused:
            return answer(refused.body, refused.status)
        except ValidationError as error:
            return answer(error.message_dict, 400)
        except PermissionDenied as error:
            return answer({"detail": str(error)}, 403)

    return wrapped


def token_user(request):
    """knox's rule in one query: the token of that key whose SHA-512 digest matches, not
    expired, of an active user (whose region comes with it, for the scope)."""
    words = request.headers.get("Authorization", "").split()
    if len(words) != 2 or words[0].lower() != knox_settings.AUTH_HEADER_PREFIX.lower():
        raise Refused(401, {"detail": "Authentication credentials were not provided."})
    token = words[1]
    digest = hash_token(token)
    now = timezone.now()
    for row in ApiToken.objects.filter(
        token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]
    ).select_related("user__region"):
        if (row.expiry is None or row.expiry >= now) and compare_digest(digest, row.digest):
            if not row.user.is_active:
                break
            return row.user
    raise Refused(401, {"detail": "Invalid token."})


def body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise Refused(400, {"detail": "JSON parse error."}) from None
    if not isinstance(data, dict):
        raise Refused(400, {"detail": "Expected a JSON object."})
    return data


# --- what DRF's fields make of values -------------------------------------------------------


def when(value: datetime.datetime | None) -> str | None:
    """``serializers.DateTimeField``: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def dec(value: Decimal | None, places: int) -> str | None:
    """``serializers.DecimalField`` (coerced to a string at the field's places)."""
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def page_of(request, rows, count_rows):
    """``api.pagination.PageNumberPagination``: ``count``, ``next``, ``previous``, ``results``,
    the page read with one query after the count."""
    params = request.GET
    size = PAGE_SIZE
    if "page_size" in params:
        try:
            asked = int(params["page_size"])
            if asked > 0:
                size = min(asked, MAX_PAGE_SIZE)
        except ValueError:
            pass
    try:
        number = int(params.get("page", "1"))
    except ValueError:
        number = 0
    count = count_rows()
    pages = max(1, -(-count // size))
    if number < 1 or number > pages:
        raise Refused(404, {"detail": "Invalid page."})
    results = list(rows[(number - 1) * size : number * size])
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", number + 1) if number < pages else None
    if number == 1:
        previous = None
    elif number == 2:
        previous = remove_query_param(url, "page")
    else:
        previous = replace_query_param(url, "page", number - 1)
    return {"count": count, "next": following, "previous": previous, "results": results}


# --- the seniors' register --------------------------------------------------------------------

SENIOR_COLUMNS = (
    "id", "id_number", "name", "sex", "birth_date", "phone", "village_id", "village__short_name",
    "villager_group_id", "address", "living_situation", "extreme_poverty",
    "subsistence_allowance", "low_income", "family_planning_special", "disability_certificate",
    "wants_centralised_care", "wants_day_care", "family_doctor_contract_on", "wristband_device",
    "wristband_on", "family_care_bed_on", "home_adaptation_on", "family_caregiver",
    "family_caregiver_trained_on", "registered_on", "status", "status_on", "status_note", "notes",
    "created_at", "updated_at",
)  # fmt: skip
LATEST = ("latest_level", "latest_total", "latest_assessed_on")
FLAGS = (
    "subsistence_allowance", "low_income", "family_planning_special", "disability_certificate",
    "wants_centralised_care", "wants_day_care",
)  # fmt: skip


def senior_json(row: dict, today: datetime.date, id_number: str, phone: str) -> dict:
    """One person as ``api.seniors.SeniorSerializer`` shows them (numbers already shown by the
    masking rule)."""
    born = row["birth_date"]
    high_age = born <= years_before(today, HIGH_AGE)
    level = row["latest_level"]
    allowances = []
    if row["status"] == "active" and high_age:
        allowances.append(Allowance.HIGH_AGE.value)
        if (row["subsistence_allowance"] or row["low_income"]) and level in DISABLED_LEVELS:
            allowances.append(Allowance.SERVICE_SUBSIDY.value)
    return {
        "id": row["id"],
        "id_number": id_number,
        "name": row["name"],
        "sex": row["sex"],
        "birth_date": born.isoformat(),
        "age": today.year - born.year - ((today.month, today.day) < (born.month, born.day)),
        "phone": phone,
        "township": row["village_id"][:9] + "000",
        "village": row["village_id"],
        "village_name": row["village__short_name"],
        "villager_group": row["villager_group_id"],
        "address": row["address"],
        "living_situation": row["living_situation"],
        "extreme_poverty": row["extreme_poverty"],
        "subsistence_allowance": row["subsistence_allowance"],
        "low_income": row["low_income"],
        "family_planning_special": row["family_planning_special"],
        "disability_certificate": row["disability_certificate"],
        "high_age": high_age,
        "disabled": level in DISABLED_LEVELS,
        "latest_assessment": None
        if level is None
        else {
            "assessed_on": day(row["latest_assessed_on"]),
            "total": row["latest_total"],
            "level": level,
        },
        "last_visited_at": when(row["last_visited_at"]),
        "wants_centralised_care": row["wants_centralised_care"],
        "wants_day_care": row["wants_day_care"],
        "family_doctor_contract_on": day(row["family_doctor_contract_on"]),
        "wristband_device": row["wristband_device"],
        "wristband_on": day(row["wristband_on"]),
        "family_care_bed_on": day(row["family_care_bed_on"]),
        "home_adaptation_on": day(row["home_adaptation_on"]),
        "family_caregiver": row["family_caregiver"],
        "family_caregiver_trained_on": day(row["family_caregiver_trained_on"]),
        "allowances": allowances,
        "registered_on": day(row["registered_on"]),
        "status": row["status"],
        "status_on": day(row["status_on"]),
        "status_note": row["status_note"],
        "notes": row["notes"],
        "created_at": when(row["created_at"]),
        "updated_at": when(row["updated_at"]),
    }


def seniors_filtered(request, seniors, today: datetime.date):
    """The register (annotated ``with_latest_assessment``) as ``SeniorFilter`` narrows it, for
    the filters staff use."""
    for name, value in request.GET.items():
        if name in ("page", "page_size") or value == "":
            continue
        if name == "village":
            seniors = seniors.filter(village_id=value)
        elif name == "region":
            seniors = seniors.filter(village__code__startswith=prefix_of_code(value.strip()))
        elif name in ("status", "living_situation"):
            seniors = seniors.filter(**{name: value})
        elif name in FLAGS and value in ("true", "false"):
            seniors = seniors.filter(**{name: value == "true"})
        elif name == "high_age" and value in ("true", "false"):
            cutoff = years_before(today, HIGH_AGE)
            seniors = seniors.filter(
                **{"birth_date__lte" if value == "true" else "birth_date__gt": cutoff}
            )
        elif name == "disabled" and value in ("true", "false"):
            disabled = Q(latest_level__in=DISABLED_LEVELS)
            not_disabled = Q(latest_level__isnull=True) | ~disabled
            seniors = seniors.filter(disabled if value == "true" else not_disabled)
        elif name == "allowance" and value in Allowance.values:
            seniors = seniors.filter(eligible_q(value, today))
        elif name == "not_visited_days" and value.isdigit() and int(value) >= 1:
            since = timezone.now() - datetime.timedelta(days=int(value))
            visited = Visit.objects.filter(visited_at__gte=since).values("senior_id")
            seniors = seniors.exclude(pk__in=visited)
        else:
            raise Refused(400, {name: ["not a filter of the floor"]})
    return seniors


def seniors_list(request, user):
    today = timezone.localdate()
    seniors = seniors_filtered(
        request, Senior.objects.visible_to(user).with_latest_assessment(), today
    )
    last_visit = Visit.objects.filter(senior=OuterRef("pk")).order_by("-visited_at")
    rows = (
        seniors.annotate(last_visited_at=Subquery(last_visit.values("visited_at")[:1]))
        .order_by("village_id", "name", "id")
        .values(*SENIOR_COLUMNS, *LATEST, "last_visited_at")
    )
    page = page_of(request, rows, seniors.count)
    page["results"] = [
        senior_json(
            row,
            today,
            masked(row["id_number"], Number.ID),
            masked(row["phone"], Number.PHONE),
        )
        for row in page["results"]
    ]
    return answer(page)


WRITABLE = set(services.SENIOR_FIELDS) - {"village", "villager_group"}


def seniors_register(request, user):
    if not rules.can_manage_seniors(user):
        raise Refused(403, {"detail": "Your role may not make this change."})
    data = body(request)
    fields = {}
    villages = Region.objects.filter(level=Level.VILLAGE).visible_to(user)
    for name, value in data.items():
        if name == "village":
            fields["village"] = villages.filter(code=value).first()
            if fields["village"] is None:
                raise Refused(400, {"village": [f'Object with code="{value}" does not exist.']})
        elif name == "villager_group":
            groups = Region.objects.filter(level=Level.GROUP).visible_to(user)
            fields["villager_group"] = groups.filter(code=value).first() if value else None
        elif name in services.DATE_FIELDS:
            fields[name] = datetime.date.fromisoformat(value) if value else None
        elif name in WRITABLE:
            fields[name] = value
    senior = services.senior_register(by=user, id_number=data.get("id_number", ""), **fields)
    row = {f: getattr(senior, f, None) for f in SENIOR_COLUMNS if "__" not in f}
    row.update(village__short_name=senior.village.short_name, last_visited_at=None)
    row.update(dict.fromkeys(LATEST))  # a new person: not assessed, not visited
    person = senior_json(
        row,
        timezone.localdate(),
        shown(request, senior, Number.ID, Context.RECORD),
        shown(request, senior, Number.PHONE, Context.RECORD),
    )
    return answer(person, 201)


@floor
def seniors(request, user):
    if request.method == "GET":
        return seniors_list(request, user)
    if request.method == "POST":
        return seniors_register(request, user)
    raise Refused(405, {"detail": f'Method "{request.method}" not allowed.'})


# --- claims of hours -------------------------------------------------------------------------


def claim_json(claim: ServiceLog, volunteer_name: str, senior_name: str) -> dict:
    """One claim as ``api.claims.ServiceLogSerializer`` shows it."""
    return {
        "id": claim.pk,
        "volunteer": claim.volunteer_id,
        "volunteer_name": volunteer_name,
        "senior": claim.senior_id,
        "senior_name": senior_name,
        "service_type": claim.service_type,
        "started_at": when(claim.started_at),
        "ended_at": when(claim.ended_at),
        "hours": dec(claim.hours, 1),
        "notes": claim.notes,
        "status": claim.status,
        "reject_reason": claim.reject_reason,
        "decided_by": claim.decided_by_id,
        "decided_at": when(claim.decided_at),
        "client_uuid": None if claim.client_uuid is None else str(claim.client_uuid),
        "from_paper": claim.from_paper,
        "entered_by": claim.entered_by_id,
        "visit": claim.visit_id,
        "movement": claim.movement_id,
        "created_at": when(claim.created_at),
    }


def moment(data: dict, name: str) -> datetime.datetime:
    value = parse_datetime(str(data.get(name, "")))
    if value is None:
        raise Refused(400, {name: ["Datetime has wrong format."]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@floor
def claim_post(request, user):
    if request.method != "POST":
        raise Refused(405, {"detail": f'Method "{request.method}" not allowed.'})
    if not volunteer_rules.can_submit_claims(user):
        raise Refused(403, {"detail": "Your role may not make this change."})
    data = body(request)
    senior = Senior.objects.filter(pk=data.get("senior")).first()
    if senior is None:
        wrong = f'Invalid pk "{data.get("senior")}" - object does not exist.'
        raise Refused(400, {"senior": [wrong]})
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise Refused(400, {"volunteer": ["Choose the volunteer who gave the service."]})
    client_uuid = data.get("client_uuid")
    claim, created = claims.claim_submit(
        by=user,
        volunteer=volunteer,
        senior=senior,
        service_type=data.get("service_type", ""),
        started_at=moment(data, "started_at"),
        ended_at=moment(data, "ended_at"),
        notes=data.get("notes", ""),
        client_uuid=uuid.UUID(client_uuid) if client_uuid else None,
    )
    # a resend is the same volunteer and senior (claim_submit refuses any other)
    return answer(claim_json(claim, volunteer.name, senior.name), 201 if created else 200)


@floor
def claim_verify(request, user, pk: int):
    if request.method != "POST":
        raise Refused(405, {"detail": f'Method "{request.method}" not allowed.'})
    claim = (
        ServiceLog.objects.select_related("volunteer", "senior")
        .writable_by(user)
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Refused(404, {"detail": "No ServiceLog matches the given query."})
    claim = claims.claim_verify(by=user, claim=claim)
    return answer(claim_json(claim, claim.volunteer.name, claim.senior.name))


# --- coverage snapshots ----------------------------------------------------------------------

SNAPSHOT_COLUMNS = (
    "id", "date", "region_id", "region__short_name", "region__level", "indicator__code",
    "numerator", "denominator", "value", "target", "met", "judgement", "reason", "facilities",
    "facilities_meeting", "failing",
)  # fmt: skip
SNAPSHOT_FILTERS = {
    "region": "region_id",
    "level": "region__level",
    "indicator": "indicator__code",
    "date": "date",
    "date_from": "date__gte",
    "date_to": "date__lte",
}


def snapshot_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "date": row["date"].isoformat(),
        "region": row["region_id"],
        "region_name": row["region__short_name"],
        "region_level": row["region__level"],
        "indicator": row["indicator__code"],
        "numerator": dec(row["numerator"], 2),
        "denominator": dec(row["denominator"], 2),
        "value": dec(row["value"], 4),
        "target": dec(row["target"], 4),
        "met": row["met"],
        "judgement": row["judgement"],
        "reason": row["reason"],
        "facilities": row["facilities"],
        "facilities_meeting": row["facilities_meeting"],
        "failing": [
            {
                "id": int(f["id"]),
                "name": str(f["name"]),
                "why": str(f["why"]),
                "value": str(f["value"]),
            }
            for f in row["failing"]
        ],
    }


@floor
def snapshots(request, user):
    if request.method != "GET":
        raise Refused(405, {"detail": f'Method "{request.method}" not allowed.'})
    rows = Snapshot.objects.visible_to(user)
    for name, value in request.GET.items():
        if name in ("page", "page_size") or value == "":
            continue
        if name in SNAPSHOT_FILTERS:
            rows = rows.filter(**{SNAPSHOT_FILTERS[name]: value})
        elif name == "within":
            rows = rows.filter(region__code__startswith=prefix_of_code(value.strip()))
        else:
            raise Refused(400, {name: ["not a filter of the floor"]})
    if not {"date", "date_from", "date_to"} & set(request.GET):
        newest = rows.aggregate(newest=Max("date"))["newest"]
        rows = rows.filter(date=newest) if newest else rows.none()
    ordered = rows.order_by("-date", "region_id", "indicator__position")
    page = page_of(request, ordered.values(*SNAPSHOT_COLUMNS), rows.count)
    page["results"] = [snapshot_json(row) for row in page["results"]]
    return answer(page)


def enabled() -> bool:
    return os.environ.get(ENV_FLAG, "").strip().lower() in {"1", "true", "yes", "on"}


def all_routes() -> list:
    return [
        path("seniors/", seniors, name="seniors"),
        path("service-logs/", claim_post, name="claim-post"),
        path("service-logs/<int:pk>/verify/", claim_verify, name="claim-verify"),
        path("coverage/snapshots/", snapshots, name="snapshots"),
    ]


def routes() -> list:
    return all_routes() if enabled() else []


app_name = "floor"
urlpatterns = routes()
