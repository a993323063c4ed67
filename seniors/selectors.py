"""Reads on the ledger shared by the API, the pages and the exports."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from seniors.models import DISABLED_LEVELS, HIGH_AGE, Senior, SeniorQuerySet, Visit, years_before


class Allowance(models.TextChoices):
    """Allowances the plan asks townships to make sure reach everyone eligible (二(十三))."""

    HIGH_AGE = "high_age", _("High-age allowance (高龄津贴)")
    SERVICE_SUBSIDY = (
        "service_subsidy",
        _("Care-service subsidy for low-income disabled high-age seniors (养老服务补贴)"),
    )


def eligible_q(allowance: str, on: datetime.date) -> Q:
    """The rule of each allowance as a filter (on a queryset ``with_latest_assessment``):

    - 高龄津贴: active, aged 80 or more;
    - 经济困难高龄失能老年人养老服务补贴: active, aged 80 or more, of a low-income household
      (低保 or 低收入), and 失能 by the latest assessment.
    """
    high_age = Q(status="active", birth_date__lte=years_before(on, HIGH_AGE))
    if allowance == Allowance.HIGH_AGE:
        return high_age
    if allowance == Allowance.SERVICE_SUBSIDY:
        return (
            high_age
            & (Q(subsistence_allowance=True) | Q(low_income=True))
            & Q(latest_level__in=DISABLED_LEVELS)
        )
    raise ValueError(allowance)


def allowances_for(senior: Senior, *, on: datetime.date, latest_level: str | None) -> list[str]:
    """The allowances ``senior`` qualifies for on ``on`` (the same rules as ``eligible_q``)."""
    if senior.status != "active" or not senior.is_high_age_on(on):
        return []
    result = [Allowance.HIGH_AGE.value]
    if senior.low_income_household and latest_level in DISABLED_LEVELS:
        result.append(Allowance.SERVICE_SUBSIDY.value)
    return result


def senior_list(*, user) -> SeniorQuerySet:
    """The seniors ``user`` may see, with what lists show: village, latest assessment and
    last visit, in a fixed number of queries whatever the page size."""
    last_visit = Visit.objects.filter(senior=models.OuterRef("pk")).order_by("-visited_at")
    return (
        Senior.objects.visible_to(user)
        .select_related("village__parent", "villager_group")
        .with_latest_assessment()
        .annotate(last_visited_at=models.Subquery(last_visit.values("visited_at")[:1]))
    )
