"""List endpoints take a fixed number of queries whatever the page size."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(regions, today):
    seniors = []
    for i in range(40):
        senior = f.SeniorFactory(
            village=regions["banqiao"], villager_group=regions["groups"][i % 3]
        )
        f.AssessmentFactory(senior=senior)
        seniors.append(senior)
    return seniors


@pytest.mark.parametrize("page_size", [5, 40])
def test_the_seniors_list(api_as, staff_baima, crowd, page_size, django_assert_max_num_queries):
    client = api_as(staff_baima)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/seniors/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("url", ["/api/v1/assessments/", "/api/v1/visits/"])
def test_assessments_and_visits(api_as, staff_baima, crowd, url, django_assert_max_num_queries):

    for senior in crowd:
        f.VisitFactory(senior=senior, visited_at=f"2026-11-0{1 + senior.pk % 9}T10:00+08:00")
    client = api_as(staff_baima)
    with django_assert_max_num_queries(4):
        response = client.get(url, {"page_size": 100})
    assert response.json()["count"] == 40
