"""The header menu lists exactly the pages a user may open: both read one declaration."""

import pytest

from dashboard import navigation
from tests.factories import VolunteerFactory

CAST = (
    "bureau",
    "staff_baima",
    "assistant_baima",
    "operator_houping",
    "outsider",
    "roleless_with_region",
    "admin_user",
)
RULED = [page for page in navigation.MENU if page.refusal]


@pytest.mark.parametrize("who", CAST)
def test_the_menu_lists_the_pages_the_user_may_open(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    listed = {item["url"] for item in client.get("/").context["menu"]}
    for page in RULED:
        url = navigation.url(page.url_name)
        opens = client.get(url).status_code != 403
        assert opens == page.allows(user), (who, page.url_name)
        assert (url in listed) == opens, (who, page.url_name)


def test_a_volunteer_with_a_record_gets_their_own_pages_and_no_menu(client, volunteer):
    VolunteerFactory(user=volunteer, village=volunteer.region)
    client.force_login(volunteer)
    response = client.get("/", follow=True)
    assert response.context["menu"] == []
    for page in RULED:
        assert client.get(navigation.url(page.url_name)).status_code == 403, page.url_name
