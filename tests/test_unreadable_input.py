"""Input that cannot break the system: a NUL character or a JSON body nested a thousand deep is
a 400 on every route — API, pages and admin — never a 500 (``RecursionError``; on PostgreSQL a
text column cannot hold NUL). The walk covers every route of the URL resolver, so a new one is
covered as it is added. Run it on PostgreSQL too (``DATABASE_URL=postgres://…``)."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import get_resolver
from rest_framework.exceptions import ParseError

from api.parsers import JSONParser
from eldercare.input import UnreadableInput, check_request

from .test_routes_are_closed import walk

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"name": ' * 1000 + "1" + "}" * 1000
NESTED_TOO_DEEP = "JSON 嵌套过深（最多 32 层）。"


def every_route():
    """Each route of the resolver as a path, its parameters filled with ``sample``; the
    ``.json`` format variants reach the same views and are left out."""
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        if "format" in getattr(pattern.pattern, "regex", re.compile("")).groupindex:
            continue
        if "<drf_format_suffix" in route:
            continue
        routes.append(route)
    return routes


def fill(route: str, sample: str) -> str:
    path = re.sub(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", sample, route)
    path = re.sub(r"<(?:\w+:)?\w+>", sample, path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


def test_the_walk_sees_the_api_pages_and_admin():
    paths = [fill(route, "1") for route in every_route()]
    assert "/api/v1/volunteers/1/" in paths
    assert "/regions/1/" in paths
    assert "/coverage/1/trends/" in paths
    assert any(path.startswith("/admin/") for path in paths)


@pytest.mark.parametrize("sample", ["500156101%00", "%00", "1%00x"])
def test_a_nul_in_any_path_segment_is_a_400(client, staff_baima, sample):
    client.force_login(staff_baima)
    answered = {}
    for route in every_route():
        path = fill(route, sample)
        if "%00" not in path:
            continue
        answered[path] = client.get(path).status_code
    assert len(answered) > 60
    assert {path: code for path, code in answered.items() if code != 400} == {}


def test_a_nul_in_the_query_is_a_400_everywhere(client, staff_baima):
    client.force_login(staff_baima)
    not_refused = {}
    for route in every_route():
        path = fill(route, "1")
        for query in ("?region=500156101%00", "?q=%00", "?%00=1"):
            code = client.get(path + query).status_code
            if code != 400:
                not_refused[path + query] = code
    assert not_refused == {}


def test_a_nul_or_a_thousand_levels_in_a_body_is_a_400_everywhere(api, staff_baima):
    api.force_authenticate(staff_baima)
    bodies = {
        "deep list": (DEEP, "application/json"),
        "deep object": (DEEP_OBJECT, "application/json"),
        "escaped NUL": ('{"name": "张\\u0000大爷"}', "application/json"),
        "raw NUL": ('{"name": "张\x00大爷"}', "application/json"),
        "form NUL": ("name=%E5%BC%A0%00", "application/x-www-form-urlencoded"),
    }
    not_refused = {}
    for route in every_route():
        path = fill(route, "1")
        for what, (body, content_type) in bodies.items():
            # Django reads POST forms, the middleware reads others: both ways once
            method = api.patch if what == "form NUL" else api.post
            code = method(path, body, content_type=content_type).status_code
            if code != 400:
                not_refused[f"{method.__name__} {path} {what}"] = code
    form = "name=%E5%BC%A0%00"
    for route in every_route():
        path = fill(route, "1")
        code = api.post(path, form, content_type="application/x-www-form-urlencoded").status_code
        if code != 400:
            not_refused[f"post {path} form NUL"] = code
    assert not_refused == {}


def test_the_api_says_what_and_where_in_chinese(api, staff_baima):
    api.force_authenticate(staff_baima)
    answer = api.post("/api/v1/volunteers/", DEEP, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"detail": NESTED_TOO_DEEP}

    answer = api.post(
        "/api/v1/teams/",
        '{"name": "白马镇志愿队", "members": [{"note": "a\\u0000b"}]}',
        content_type="application/json",
    )
    assert answer.json() == {"detail": "字段“members[0].note”含有空字符（\\0），无法接受。"}

    answer = api.get("/api/v1/volunteers/?region=500156101%00")
    assert answer.json() == {"detail": "参数“region”含有空字符（\\0），无法接受。"}

    answer = api.get("/api/v1/volunteers/500156101%00/")
    assert answer.json() == {"detail": "地址含有空字符（\\0），无法接受。"}


def test_english_for_english_speakers(api, staff_baima):
    api.force_authenticate(staff_baima)
    answer = api.get("/api/v1/teams/?name=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.json() == {
        "detail": "The parameter “name” contains a NUL character (\\0), which is not accepted."
    }


def test_pages_answer_a_short_chinese_page(client, staff_baima):
    client.force_login(staff_baima)
    answer = client.get("/coverage/500156101000%00/")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "<h1>请求有误</h1>" in page
    assert "地址含有空字符（\\0），无法接受。" in page


def test_a_body_at_the_limit_reaches_the_view(api, staff_baima):
    """32 levels pass (the view answers for itself); 33 are refused before the view."""
    api.force_authenticate(staff_baima)
    at_limit = '{"name": ' * 31 + "[1]" + "}" * 31
    assert json.loads(at_limit)  # 31 objects around one list: 32 levels
    answer = api.post("/api/v1/teams/", at_limit, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() != {"detail": NESTED_TOO_DEEP}
    over = '{"name": ' * 32 + "[1]" + "}" * 32
    answer = api.post("/api/v1/teams/", over, content_type="application/json")
    assert answer.json() == {"detail": NESTED_TOO_DEEP}


def test_brackets_and_escapes_inside_strings_are_text():
    factory = RequestFactory()
    body = json.dumps({"notes": "[[[[" * 20 + "\\u0000 is how JSON writes NUL"})
    assert "\\\\u0000" in body
    check_request(factory.post("/api/v1/teams/", body, content_type="application/json"))


def test_a_workbook_may_hold_nul_bytes_its_fields_may_not():
    factory = RequestFactory()
    workbook = SimpleUploadedFile("老人台账.xlsx", b"PK\x03\x04\x00\x00binary")
    check_request(factory.post("/seniors/import/", {"file": workbook, "village": "500156101201"}))
    workbook.seek(0)
    with pytest.raises(UnreadableInput, match="village"):
        check_request(factory.post("/seniors/import/", {"file": workbook, "village": "5\x00"}))


def test_the_parser_turns_a_recursion_error_into_a_400():
    """Should a body ever reach the parser without the middleware: 100,000 levels."""
    with pytest.raises(ParseError) as refused:
        JSONParser().parse(io.BytesIO(b"[" * 100_000 + b"]" * 100_000), "application/json")
    assert refused.value.status_code == 400
