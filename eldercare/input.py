"""Input that cannot break the system: what a request may not carry, checked in one place.

Two kinds of input are refused with a 400 before any view runs (``RefuseUnreadableInput`` in
``eldercare/middleware.py``), for every route — API, pages and admin alike:

- a NUL character (``%00`` in the path or the query, ``\\x00`` in a form field, ``\\u0000`` in
  a JSON string): PostgreSQL cannot store it in a text column, and no Chinese name, code or note
  contains one;
- a JSON body nested deeper than ``MAX_JSON_DEPTH``: Python's parser recurses once per level
  and gives up with a ``RecursionError`` around a thousand; no request of this API nests
  more than a few levels.
"""

from __future__ import annotations

import io
import json
import re

from django.http import QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

# The deepest JSON body the API takes: lists of objects inside objects go three or four levels.
MAX_JSON_DEPTH = 32

NUL = "\x00"
# A string in a JSON text (with its escapes), and the brackets outside strings.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
# ``\u0000`` as an escape (an even number of backslashes before it is an escaped backslash).
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class UnreadableInput(Exception):
    """A request the system refuses to read; ``message`` says what and where (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it (and so
    without recursion): brackets inside strings do not count."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def too_deep_message() -> str:
    return _("The JSON body is nested too deeply (at most %(limit)d levels).") % {
        "limit": MAX_JSON_DEPTH
    }


def nul_message(where: str) -> str:
    return _("%(where)s contains a NUL character (\\0), which is not accepted.") % {"where": where}


def _field(name: str) -> str:
    return _("The field “%(name)s”") % {"name": name}


def _nul_in_json(value, path: str = "") -> str | None:
    """The dotted name of the first key or string of a parsed JSON value that holds a NUL."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if NUL in key:
                    return name
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return None


def check_json_text(text: str) -> None:
    """Refuse a JSON body nested too deeply or holding a NUL; text that is not JSON at all is
    left to the parser (a 400 of its own)."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise UnreadableInput(too_deep_message())
    if NUL not in text and not _ESCAPED_NUL.search(text):
        return
    try:
        where = _nul_in_json(json.loads(text))
    except ValueError:  # not JSON; a raw NUL is still a NUL
        where = None
    raise UnreadableInput(nul_message(_field(where) if where else _("The request body")))


def check_query(querydict, where_key: str) -> None:
    for key, values in querydict.lists():
        if NUL in key:
            raise UnreadableInput(nul_message(_("A parameter name")))
        if any(NUL in value for value in values if isinstance(value, str)):
            raise UnreadableInput(nul_message(where_key % {"name": key}))


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _form(request, media: str):
    """The fields and files of a form body; Django reads them for POST only (DRF reads PUT and
    PATCH forms from the body itself, which stays readable here)."""
    if request.method == "POST":
        return request.POST, request.FILES
    if media == "application/x-www-form-urlencoded":
        return QueryDict(request.body, encoding=request.encoding), MultiValueDict()
    parser = MultiPartParser(request.META, io.BytesIO(request.body), request.upload_handlers)
    return parser.parse()


def check_request(request) -> None:
    """Raise ``UnreadableInput`` for a request the system refuses to read."""
    if NUL in request.path:
        raise UnreadableInput(nul_message(_("The address")))
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            raise UnreadableInput(nul_message(_("A header")))
    check_query(request.GET, _("The parameter “%(name)s”"))
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    content_type = request.META.get("CONTENT_TYPE", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        # the fields, not the files (a workbook holds NUL bytes by nature)
        try:
            fields, uploads = _form(request, media)
        except (MultiPartParserError, UnreadablePostError):
            raise UnreadableInput(_("The request body cannot be read.")) from None
        check_query(fields, _("The field “%(name)s”"))
        for key, files in uploads.lists():
            if NUL in key or any(NUL in (upload.name or "") for upload in files):
                raise UnreadableInput(nul_message(_("A file name")))
        return
    body = request.body
    if not body:
        return
    if is_json(content_type):
        check_json_text(body.decode("utf-8", errors="replace"))
    elif b"\x00" in body:
        raise UnreadableInput(nul_message(_("The request body")))
