"""Resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit address code, the birth date as YYYYMMDD, a 3-digit sequence number
whose parity gives the sex (odd: male), and a check character computed with ISO 7064 MOD 11-2
over the first 17 digits ('X' stands for 10).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from eldercare.validators import SPANS

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11
SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# The first two digits of the address code (GB/T 2260): the provinces, autonomous regions and
# municipalities, Taiwan (71), and 81/82/83 of the residence permits of Hong Kong, Macao and
# Taiwan residents.
PROVINCES = frozenset(
    re.findall(
        r"\d\d",
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
        "61 62 63 64 65 71 81 82 83",
    )
)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(value: str) -> str:
    """Strip blanks, take full-width digits and a lower-case x as people type them."""
    value = (value or "").strip().replace(" ", "").upper()
    return value.translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX"))


def parse_id_number(value: str) -> IdNumber:
    """The number, birth date and sex, or ``ValidationError`` saying what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)},
            code="length",
        )
    if not SHAPE.match(number):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="characters"
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number (%(date)s) does not exist.")
            % {"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
            code="birth_date",
        ) from None
    if number[:2] not in PROVINCES:
        raise ValidationError(
            _("The area code of this ID number (%(code)s) belongs to no province.")
            % {"code": number[:6]},
            code="area",
        )
    # the range every birth date of the system keeps (eldercare.validators, "birth")
    earliest, latest = SPANS["birth"].bounds()
    if birth < earliest:
        raise ValidationError(
            _("The birth date in the ID number (%(date)s) is not possible.") % {"date": birth},
            code="birth_date",
        )
    if birth > latest:
        raise ValidationError(
            _("The birth date in the ID number (%(date)s) is in the future.") % {"date": birth},
            code="birth_date",
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of this ID number is wrong: a mistyped digit?"), code="check_digit"
        )
    return IdNumber(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def mask(number: str) -> str:
    """5001**********123X: the province and city, and the last four characters."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:4] + "*" * 10 + number[14:]


def mask_phone(number: str) -> str:
    """138****5678: the first three and the last four digits (short numbers: all hidden)."""
    digits = number.strip()
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years on ``day``; 0 (not a negative age) for a day before the birth."""
    years = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    return max(years, 0)


def make_id_number(address: str, birth_date: datetime.date, sequence: int) -> str:
    """A valid number for the demo population and tests (``sequence`` 0–999; odd: male)."""
    first17 = f"{address}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
