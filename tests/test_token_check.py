"""The API's token check (``api.authentication``): knox's rules, the user and region read with
the token in one query, no sweep of the user's other tokens."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import ApiToken
from api.authentication import TokenAuthentication
from regions.scoping import scope_prefix

pytestmark = pytest.mark.django_db


def presented(key):
    return RequestFactory().get("/api/v1/seniors/", HTTP_AUTHORIZATION=f"Token {key}")


def test_it_reads_the_user_and_the_region_with_the_token(staff_baima, django_assert_num_queries):
    key = ApiToken.objects.create(user=staff_baima)[1]
    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate(presented(key))
        assert scope_prefix(user) == "500156101"
    assert user == staff_baima and token.user_id == staff_baima.pk


def test_other_tokens_of_the_user_are_left_alone(staff_baima, django_assert_num_queries):
    old, _ = ApiToken.objects.create(user=staff_baima)
    ApiToken.objects.filter(digest=old.digest).update(expiry=timezone.now() - datetime.timedelta(1))
    key = ApiToken.objects.create(user=staff_baima)[1]
    with django_assert_num_queries(1):
        TokenAuthentication().authenticate(presented(key))
    assert ApiToken.objects.filter(user=staff_baima).count() == 2


def test_an_expired_token_is_refused_and_deleted(staff_baima):
    token, key = ApiToken.objects.create(user=staff_baima)
    ApiToken.objects.filter(digest=token.digest).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(presented(key))
    assert not ApiToken.objects.filter(user=staff_baima).exists()


def test_a_wrong_token_or_an_inactive_user_is_refused(staff_baima):
    key = ApiToken.objects.create(user=staff_baima)[1]
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(presented(key[:-1] + ("0" if key[-1] != "0" else "1")))
    staff_baima.is_active = False
    staff_baima.save()
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(presented(key))
