"""Resident ID numbers: GB 11643 check digit, birth date and sex read from the number."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from seniors.idnumber import mask, parse_id_number


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "F"),  # the standard's own example
        ("500232190001010017", datetime.date(1900, 1, 1), "M"),  # the earliest birth kept
        ("810000194003011231", datetime.date(1940, 3, 1), "M"),  # a Hong Kong residence permit
        ("500232194003011230", datetime.date(1940, 3, 1), "M"),
        ("500232194607202468", datetime.date(1946, 7, 20), "F"),
    ],
)
def test_a_valid_number_gives_birth_date_and_sex(number, birth, sex):
    parsed = parse_id_number(number)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, birth, sex)


def test_a_lower_case_x_and_blanks_are_accepted_as_typed():
    assert parse_id_number(" 11010519491231002x ").number == "11010519491231002X"


def test_full_width_digits_are_accepted():
    assert parse_id_number("５００２３２１９４００３０１１２３０").number == "500232194003011230"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("500232194003011231", "校验码"),  # last digit changed
        ("500232194003011", "18"),
        ("50023219400301123A", "17 位数字"),
        ("500232194002301234", "1940-02-30"),  # 30 February
        ("500232194013011234", "1940-13-01"),
        # valid check digits, implausible people
        # the standard's own example, born 1880
        ("440524188001010014", "身份证号中的出生日期（1880-01-01）不合理"),
        ("500232189912310012", "（1899-12-31）不合理"),
        ("000000194003011230", "地区码（000000）不属于任何省份"),
        ("990232194003011231", "地区码（990232）不属于任何省份"),
        ("500232202611300017", "身份证号中的出生日期（2026-11-30）晚于今天"),  # tomorrow
    ],
)
def test_a_wrong_number_is_refused_with_a_reason(number, message, today):
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(number)
    assert message in excinfo.value.messages[0]


def test_someone_born_today_has_a_possible_number(today):
    assert parse_id_number("500232202611290015").birth_date == datetime.date(2026, 11, 29)


def test_masking_keeps_the_province_city_and_last_four():
    assert mask("50023219300115011X") == "5002**********011X"
