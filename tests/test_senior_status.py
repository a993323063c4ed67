"""A person moves out or dies: the status moves, the record stays."""

import pytest

pytestmark = pytest.mark.django_db


def status_url(senior):
    return f"/api/v1/seniors/{senior.pk}/status/"


def test_a_death_is_recorded_with_its_date(api_as, staff_baima, zhang):
    response = api_as(staff_baima).post(
        status_url(zhang), {"status": "deceased", "status_on": "2026-10-03", "status_note": "病故"}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_on"]) == ("deceased", "2026-10-03")
    assert response.json()["allowances"] == []


def test_death_is_final(api_as, staff_baima, zhang):
    client = api_as(staff_baima)
    client.post(status_url(zhang), {"status": "deceased", "status_on": "2026-10-03"})

    response = client.post(status_url(zhang), {"status": "active", "status_on": "2026-11-01"})
    assert response.status_code == 400
    assert response.json()["status"] == ["“已故”的记录不能改为“在册”。"]


def test_a_person_who_moved_out_can_come_back(api_as, staff_baima, zhang):
    client = api_as(staff_baima)
    client.post(status_url(zhang), {"status": "moved_out", "status_on": "2026-01-10"})
    response = client.post(status_url(zhang), {"status": "active", "status_on": "2026-08-01"})

    assert response.json()["status"] == "active"
    assert response.json()["status_on"] == "2026-08-01"  # the day of the return


@pytest.mark.parametrize(
    ("status", "status_on"),
    [
        pytest.param("deceased", "2026-12-25", id="in_the_future"),
        # 张大爷 was registered on 2021-06-01
        pytest.param("moved_out", "2021-05-01", id="before_registration"),
    ],
)
def test_a_status_dated_out_of_range_is_refused(api_as, staff_baima, zhang, status, status_on):
    response = api_as(staff_baima).post(
        status_url(zhang), {"status": status, "status_on": status_on}
    )
    assert response.status_code == 400
    assert "status_on" in response.json()


def test_status_cannot_be_changed_by_a_plain_edit(api_as, staff_baima, zhang):
    api_as(staff_baima).patch(f"/api/v1/seniors/{zhang.pk}/", {"status": "deceased"})
    zhang.refresh_from_db()
    assert zhang.status == "active"


def test_a_return_cannot_predate_the_move(api_as, staff_baima, zhang):
    client = api_as(staff_baima)
    client.post(status_url(zhang), {"status": "moved_out", "status_on": "2026-03-01"})
    response = client.post(status_url(zhang), {"status": "active", "status_on": "2026-02-01"})
    assert response.status_code == 400
    assert "status_on" in response.json()
