"""Loading the official divisions from CSV: the real Wulong file, idempotence, bad rows."""

import pytest
from django.core.management import CommandError, call_command

from regions.loader import DEFAULT_CSV
from regions.models import Level, Region

pytestmark = pytest.mark.django_db

HEADER = "code,name,level,parent_code,urban_rural_code\n"
GOOD = (
    HEADER
    + "500156000000,武隆区,district,500100000000,\n"
    + "500156101000,白马镇,township,500156000000,\n"
    + "500156101201,板桥村村民委员会,village,500156101000,220\n"
)


def load(tmp_path, text):
    path = tmp_path / "divisions.csv"
    path.write_text(text, encoding="utf-8")
    call_command("load_regions", str(path))


def test_it_loads_the_real_district_with_its_26_townships_and_214_villages():
    call_command("load_regions")

    assert Region.objects.filter(level=Level.DISTRICT).count() == 1
    townships = Region.objects.filter(level=Level.TOWNSHIP)
    assert townships.count() == 26
    assert set(townships.values_list("kind", flat=True)) == {"乡", "街道", "镇"}
    assert townships.filter(kind="街道").count() == 4
    assert townships.filter(kind="镇").count() == 10
    assert townships.filter(kind="乡").count() == 12
    villages = Region.objects.filter(level=Level.VILLAGE)
    assert villages.count() == 214
    assert villages.filter(kind="村").count() == 184
    assert villages.filter(kind="社区").count() == 30


def test_village_count_matches_the_csv_line_by_line():
    call_command("load_regions")
    lines = DEFAULT_CSV.read_text(encoding="utf-8").splitlines()[1:]
    village_codes = {line.split(",")[0] for line in lines if line.split(",")[2] == "village"}
    assert set(Region.objects.filter(level=Level.VILLAGE).values_list("code", flat=True)) == (
        village_codes
    )


def test_it_keeps_the_official_codes_and_derives_names_people_use():
    call_command("load_regions")

    baima = Region.objects.get(code="500156101000")
    assert (baima.name, baima.short_name, baima.kind, baima.parent_id) == (
        "白马镇",
        "白马镇",
        "镇",
        "500156000000",
    )
    houping = Region.objects.get(code="500156208000")
    assert (houping.name, houping.short_name) == ("后坪苗族土家族乡", "后坪乡")
    banqiao = Region.objects.get(code="500156101201")
    assert (banqiao.short_name, banqiao.kind, banqiao.urban_rural_code) == ("板桥村", "村", "220")
    community = Region.objects.get(code="500156001001")
    assert (community.short_name, community.kind) == ("复兴社区", "社区")


def test_loading_twice_changes_nothing(capsys):
    call_command("load_regions")
    call_command("load_regions")

    assert Region.objects.count() == 241
    assert "0 created, 0 updated, 241 unchanged" in capsys.readouterr().out


def test_a_renamed_village_is_updated_in_place(tmp_path):
    load(tmp_path, GOOD)
    load(tmp_path, GOOD.replace("板桥村村民委员会", "新板桥村村民委员会"))

    village = Region.objects.get(code="500156101201")
    assert (village.name, village.short_name) == ("新板桥村村民委员会", "新板桥村")
    assert Region.objects.count() == 3
    assert village.history.count() == 2


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("50015610120,短码村村民委员会,village,500156101000,220", "12 位"),
        ("500156101202,,village,500156101000,220", "名称为空"),
        ("500156101202,东升村村民委员会,hamlet,500156101000,220", "hamlet"),
        ("500156101202,东升村村民委员会,village,500156102000,220", "500156102000"),
        ("500156101202,东升村村民委员会,village,500156101000,999", "999"),
        ("500156101201,板桥村村民委员会,village,500156101000,220", "已在第 4 行出现"),
        ("500156102000,江口镇,village,500156000000,", "乡镇"),
    ],
)
def test_a_bad_row_names_its_line_and_loads_nothing(tmp_path, bad_line, message):
    with pytest.raises(CommandError) as excinfo:
        load(tmp_path, GOOD + bad_line + "\n")

    # header, district, township, village: the bad row is the file's fifth line
    assert "第 5 行" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert Region.objects.count() == 0


def test_a_child_before_its_parent_is_refused(tmp_path):
    text = HEADER + "500156000000,武隆区,district,500100000000,\n"
    text += "500156101201,板桥村村民委员会,village,500156101000,220\n"
    text += "500156101000,白马镇,township,500156000000,\n"

    with pytest.raises(CommandError, match="第 3 行"):
        load(tmp_path, text)
    assert Region.objects.count() == 0


def test_a_file_without_the_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="parent_code"):
        load(tmp_path, "code,name,level\n500156000000,武隆区,district\n")


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv"):
        call_command("load_regions", str(tmp_path / "nope.csv"))
