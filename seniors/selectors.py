"""Reads on the ledger shared by the API, the pages and the exports."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from regions.models import Kind
from seniors.models import (
    CATEGORY_FIELDS,
    DISABLED_LEVELS,
    HIGH_AGE,
    Assessment,
    CategoryPeriod,
    ExtremePoverty,
    FamilyDoctorContract,
    Level,
    LivingSituation,
    Senior,
    SeniorQuerySet,
    Status,
    Visit,
    years_before,
)


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


# --- who a person is on a day: the definitions the coverage engine counts by ---------------
#
# Each rule below has a twin in ``coverage.compute`` (the engine's set-based SQL, named in
# the docstring); ``tests/test_people_parity.py`` runs both on generated people of several
# seeds and compares the sets of ids.


def senior_changes(senior: Senior, *, limit: int) -> list[dict]:
    """Who changed what on a person's record, newest first, at most ``limit`` changes, each
    ``{"record": the historical version, "fields": the names of the fields it changed}``; the
    registration itself last when it is among them."""
    history = list(
        senior.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    changes = []
    for newer, older in itertools.pairwise(history):
        delta = newer.diff_against(older)
        changes.append(
            {
                "record": newer,
                "fields": [
                    Senior._meta.get_field(c.field).verbose_name
                    for c in delta.changes
                    if c.field != "updated_at"
                ],
            }
        )
    if len(history) <= limit and history:
        changes.append({"record": history[-1], "fields": []})  # the registration itself
    return changes


class KeyReading(models.TextChoices):
    """The two readings of 二(七)'s "居家特困人员、低收入家庭以及计划生育特殊家庭失能老年人"."""

    LISTED = "listed", _("特困 at home; 低保/低收入 households; disabled of 计生特殊家庭")
    DISABLED_OF_HOUSEHOLDS = (
        "disabled_of_households",
        _("特困 at home; disabled of 低保/低收入 households or of 计生特殊家庭"),
    )


@dataclass(frozen=True)
class PeopleRule:
    """The choices an indicator counts people with (``coverage.definitions``)."""

    disabled_levels: tuple[str, ...] = (Level.MILD, Level.MODERATE, Level.SEVERE)
    key_reading: str = KeyReading.LISTED
    count_communities: bool = False


CATEGORY_DEFAULTS = {
    "extreme_poverty": "",
    "subsistence_allowance": False,
    "low_income": False,
    "family_planning_special": False,
    "living_situation": LivingSituation.WITH_FAMILY.value,
    "wants_centralised_care": False,
    "wants_day_care": False,
}


def in_ledger_q(on: datetime.date) -> Q:
    """In the ledger on ``on``: registered by then, and still active or left after it.
    Engine: the ``WHERE`` of ``coverage.compute._person_sql``."""
    return Q(registered_on__lte=on) & (Q(status=Status.ACTIVE) | Q(status_on__gt=on))


def periods_on(on: datetime.date) -> QuerySet:
    """The category periods in force on ``on`` (at most one per person). Engine: the ``c``
    join of ``coverage.compute._person_sql``."""
    return CategoryPeriod.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
    )


def contracts_on(on: datetime.date) -> QuerySet:
    """Family-doctor contracts in force on ``on``: signed by then, term not over."""
    return FamilyDoctorContract.objects.filter(signed_on__lte=on, ends_on__gt=on)


def with_facts_on(queryset: QuerySet, on: datetime.date) -> QuerySet:
    """Annotate what the rules read about each person as of ``on``: ``level_on`` (the level
    of the latest assessment on or before it; engine: the ``lv`` join), ``cat_<field>`` for
    each of ``CATEGORY_FIELDS`` (the period in force; engine: ``c``) and ``doctor_on`` (a
    contract in force; engine: ``fd``)."""
    latest = Assessment.objects.filter(senior=OuterRef("pk"), assessed_on__lte=on).order_by(
        "-assessed_on", "-id"
    )
    period = periods_on(on).filter(senior=OuterRef("pk"))
    # no period or no assessment reads as the defaults (as the engine's COALESCE)
    return queryset.annotate(
        level_on=Coalesce(Subquery(latest.values("level")[:1]), Value("")),
        doctor_on=Exists(contracts_on(on).filter(senior=OuterRef("pk"))),
        **{
            f"cat_{name}": Coalesce(
                Subquery(period.values(name)[:1]),
                Value(CATEGORY_DEFAULTS[name]),
                output_field=Senior._meta.get_field(name),
            )
            for name in CATEGORY_FIELDS
        },
    )


def disabled_q(rule: PeopleRule) -> Q:
    """失能 on the day (needs ``with_facts_on``).
    Engine: ``disabled`` of ``coverage.compute._predicates``."""
    return Q(level_on__in=list(rule.disabled_levels))


def low_income_q() -> Q:
    """A 低保 or 低收入 household (needs ``with_facts_on``)."""
    return Q(cat_subsistence_allowance=True) | Q(cat_low_income=True)


def key_target_q(on: datetime.date, rule: PeopleRule = PeopleRule()) -> Q:
    """重点对象 of 二(七), needing a one-to-one pairing (needs ``with_facts_on``), read as
    ``rule.key_reading`` says. Engine: ``key`` of ``coverage.compute._predicates``."""
    if rule.key_reading == KeyReading.DISABLED_OF_HOUSEHOLDS:
        who = Q(cat_extreme_poverty=ExtremePoverty.DISPERSED) | (
            (low_income_q() | Q(cat_family_planning_special=True)) & disabled_q(rule)
        )
    else:
        who = (
            Q(cat_extreme_poverty=ExtremePoverty.DISPERSED)
            | low_income_q()
            | (Q(cat_family_planning_special=True) & disabled_q(rule))
        )
    return in_ledger_q(on) & who


def other_target_q(on: datetime.date, rule: PeopleRule = PeopleRule()) -> Q:
    """高龄, 独居 or 留守 seniors who are not key targets: grid or area coverage at least.
    Engine: ``other`` of ``coverage.compute._predicates``."""
    return (
        in_ledger_q(on)
        & ~key_target_q(on, rule)
        & (
            Q(birth_date__lte=years_before(on, HIGH_AGE))
            | Q(cat_living_situation__in=[LivingSituation.ALONE, LivingSituation.LEFT_BEHIND])
        )
    )


def counted_place_q(rule: PeopleRule = PeopleRule()) -> Q:
    """Living where the people indicators count: a 村, or a 社区 the bureau counts as a village
    (every 社区 when ``rule.count_communities``).
    Engine: ``place`` of ``coverage.compute._predicates``."""
    if rule.count_communities:
        return Q()

    return Q(village__kind=Kind.VILLAGE) | Q(village__counts_as_village=True)
