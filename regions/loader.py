"""Loading the official divisions from a CSV.

``regions_load_csv`` checks every row before it writes anything; one bad row refuses the whole
file with the line number and the reason, and the database is left as it was. Loading the same
file twice changes nothing; a renamed division is updated in place (codes are stable).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import PREFIX_LENGTH, Kind, Level, Region, UrbanRural

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "wulong_divisions.csv"
REQUIRED_COLUMNS = ("code", "name", "level", "parent_code", "urban_rural_code")
LOADABLE_LEVELS = {Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE}
CODE_RE = re.compile(r"^[0-9]{12}$")


class RegionDataError(ValueError):
    """A CSV that cannot be loaded; the message names the line."""


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def township_kind(name: str) -> str:
    for suffix in (Kind.SUBDISTRICT, Kind.TOWN, Kind.TOWNSHIP):
        if name.endswith(suffix.value):
            return suffix.value
    raise ValueError(_("a township-level name ends in 街道, 镇 or 乡"))


def village_kind(code: str) -> str:
    # Statistical rule: village-level codes 001–199 are communities (居委会), 200–399 villages.
    return Kind.VILLAGE.value if int(code[9:12]) >= 200 else Kind.COMMUNITY.value


# Ethnic townships (民族乡) carry their peoples in the official name; Wulong has 苗族, 土家族
# and 仡佬族 ones, and the list covers the neighbouring districts too.
ETHNICITIES = "苗|土家|仡佬|彝|回|藏|蒙古|壮|布依|侗|瑶|白|哈尼|傣|黎|满|羌|畲|水"
ETHNIC_TOWNSHIP_RE = re.compile(rf"^(?P<place>.+?)(?:(?:{ETHNICITIES})族)+(?P<kind>乡|镇)$")


def short_name(name: str) -> str:
    """The name people use: 大田村村民委员会 → 大田村, 复兴社区居民委员会 → 复兴社区,
    后坪苗族土家族乡 → 后坪乡 (as the plan writes it: 后坪乡敬老院)."""
    match = ETHNIC_TOWNSHIP_RE.match(name)
    if match:
        return match["place"] + match["kind"]
    for suffix in ("村民委员会", "居民委员会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def expected_level(code: str) -> str:
    """The level a 12-digit code stands for, read from its zero-filled tail."""
    if code[6:] == "000000":
        return Level.DISTRICT.value
    if code[9:] == "000":
        return Level.TOWNSHIP.value
    return Level.VILLAGE.value


def _parse_rows(text: str, existing_codes: set[str]) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegionDataError(
            _("Line 1: missing column(s) %(columns)s; expected %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ",".join(REQUIRED_COLUMNS)}
        )
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k: (raw.get(k) or "").strip() for k in REQUIRED_COLUMNS}

        def fail(message: str, line_no: int = line_no) -> RegionDataError:
            return RegionDataError(
                _("Line %(line)d: %(message)s") % {"line": line_no, "message": message}
            )

        code, name, level = row["code"], row["name"], row["level"]
        if not CODE_RE.match(code):
            raise fail(_("code “%(code)s” is not a 12-digit statistical code.") % {"code": code})
        if code in seen:
            raise fail(
                _("code %(code)s already appears on line %(other)d.")
                % {"code": code, "other": seen[code]}
            )
        if not name:
            raise fail(_("name is empty."))
        if level not in {lv.value for lv in LOADABLE_LEVELS}:
            raise fail(
                _("level “%(level)s” is not one of district, township, village.") % {"level": level}
            )
        if expected_level(code) != level:
            raise fail(
                _("code %(code)s is a code of level “%(expected)s” but the row says “%(level)s”.")
                % {"code": code, "expected": Level(expected_level(code)).label, "level": level}
            )
        urban_rural = row["urban_rural_code"]
        if level == Level.VILLAGE:
            if urban_rural not in UrbanRural.values:
                raise fail(
                    _("urban–rural code “%(value)s” is not one of %(allowed)s.")
                    % {"value": urban_rural, "allowed": ", ".join(UrbanRural.values)}
                )
        elif urban_rural:
            raise fail(_("only village-level rows carry an urban–rural code."))
        parent_code = row["parent_code"]
        if level == Level.DISTRICT:
            kind = Kind.DISTRICT.value
        else:
            parent_level = Level.DISTRICT if level == Level.TOWNSHIP else Level.TOWNSHIP
            parent_prefix = code[: PREFIX_LENGTH[parent_level]]
            if (
                not parent_code.startswith(parent_prefix)
                or expected_level(parent_code) != parent_level
            ):
                raise fail(
                    _("parent %(parent)s is not the %(level)s that code %(code)s belongs to.")
                    % {"parent": parent_code or "—", "level": parent_level.label, "code": code}
                )
            if parent_code not in seen and parent_code not in existing_codes:
                raise fail(
                    _("parent %(parent)s is neither on an earlier line nor already loaded.")
                    % {"parent": parent_code}
                )
            try:
                kind = township_kind(name) if level == Level.TOWNSHIP else village_kind(code)
            except ValueError as exc:
                raise fail(str(exc)) from None
        seen[code] = line_no
        rows.append(
            {
                "code": code,
                "name": name,
                "short_name": short_name(name),
                "level": level,
                "kind": kind,
                "urban_rural_code": urban_rural,
                # The district's parent (the municipality's districts) is outside this system.
                "parent_id": parent_code if level != Level.DISTRICT else None,
            }
        )
    if not rows:
        raise RegionDataError(_("The file has no rows."))
    return rows


FIELDS = ("name", "short_name", "level", "kind", "urban_rural_code", "parent_id")


def regions_load_csv(*, text: str) -> LoadResult:
    """Load divisions from CSV text (columns ``code,name,level,parent_code,urban_rural_code``),
    all or nothing."""
    existing = {r.code: r for r in Region.objects.all()}
    rows = _parse_rows(text, set(existing))
    created = updated = unchanged = 0
    with transaction.atomic():
        for row in rows:  # parents come before children (checked above), so FKs resolve
            current = existing.get(row["code"])
            if current is None:
                Region.objects.create(**row)
                created += 1
            elif any(getattr(current, f) != row[f] for f in FIELDS):
                for f in FIELDS:
                    setattr(current, f, row[f])
                current.save()
                updated += 1
            else:
                unchanged += 1
    return LoadResult(created=created, updated=updated, unchanged=unchanged)
