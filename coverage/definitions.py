"""The choices behind the people indicators, kept as data on each ``Indicator.parameters``.

The plan's words leave three choices open; each is a parameter the bureau edits in the admin
(``Indicator`` keeps its history) and every tile says which is in force (``how_counted``):

``disabled_levels`` — which Barthel grades count as 失能. Default: the national grades 轻度、
    中度、重度 (mild, moderate, severe); only 100 (independent) is not disabled.
``key_targets`` — how the plan's sentence 二(七) "对居家特困人员、低收入家庭以及计划生育特殊家庭
    失能老年人等重点对象" is read:
    ``listed`` (default): three groups — home-living 特困, seniors of 低保/低收入 households,
    and the disabled of 计划生育特殊家庭;
    ``disabled_of_households``: home-living 特困, and the *disabled* of 低保/低收入 households
    or of 计划生育特殊家庭 (失能 read as qualifying both households).
    The default is the wider reading: 二(十二) and 二(十三) name 低收入 seniors on their own, the
    district's targets document lists them so, and a wider denominator never overstates how
    many key targets have their one-to-one helper.
``count_communities`` — whether residents of 社区 count. Default no, as for the village
    indicators: a community counts only where the bureau marked it ``counts_as_village``.

The engine (``coverage.compute``) and the domain querysets (``seniors.selectors``,
``volunteers.pairings``) both take the choices as a ``seniors.selectors.PeopleRule``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from seniors.models import Level
from seniors.selectors import KeyReading, PeopleRule

NATIONAL_GRADES = [Level.MILD.value, Level.MODERATE.value, Level.SEVERE.value]
DISABLED_LEVELS = "disabled_levels"
KEY_TARGETS = "key_targets"
COUNT_COMMUNITIES = "count_communities"

# which indicator reads which choice, with its default
_PEOPLE = {COUNT_COMMUNITIES: False}
_DISABLED = {DISABLED_LEVELS: NATIONAL_GRADES}
_KEY = {KEY_TARGETS: KeyReading.LISTED.value}
DEFAULTS: dict[str, dict] = {
    "disabled_poor_in_care": {**_DISABLED, **_PEOPLE},
    "poor_in_institution": {**_PEOPLE},
    "disabled_seniors_placed": {**_DISABLED, **_PEOPLE},
    "key_seniors_paired_one_to_one": {**_DISABLED, **_KEY, **_PEOPLE},
    "other_seniors_grid_covered": {**_DISABLED, **_KEY, **_PEOPLE},
    "paired_seniors_visited_on_time": {**_PEOPLE},
    "family_doctor_signed": {**_PEOPLE},
    "family_care_beds": {**_PEOPLE},
    "home_adaptations": {**_PEOPLE},
    "key_seniors_with_wristband": {**_PEOPLE},
}
# the indicator whose choices the pairing pages and API follow
PAIRING_INDICATOR = "key_seniors_paired_one_to_one"


def parameter_errors(code: str, parameters) -> list[str]:
    """What is wrong with ``parameters`` for the indicator ``code`` (empty: nothing)."""
    if not isinstance(parameters, dict):
        return [_("The parameters must be an object of names and values.")]
    allowed = DEFAULTS.get(code, {})
    errors = []
    for name in parameters:
        if name not in allowed:
            errors.append(_("This indicator has no parameter “%(name)s”.") % {"name": name})
    levels = parameters.get(DISABLED_LEVELS)
    if levels is not None and (
        not isinstance(levels, list) or not levels or not set(levels) <= set(NATIONAL_GRADES)
    ):
        errors.append(
            _("disabled_levels: a non-empty list of %(levels)s.")
            % {"levels": ", ".join(NATIONAL_GRADES)}
        )
    reading = parameters.get(KEY_TARGETS)
    if reading is not None and reading not in KeyReading.values:
        errors.append(
            _("key_targets: one of %(readings)s.") % {"readings": ", ".join(KeyReading.values)}
        )
    communities = parameters.get(COUNT_COMMUNITIES)
    if communities is not None and not isinstance(communities, bool):
        errors.append(_("count_communities: true or false."))
    return errors


def parameters_of(code: str, parameters: dict | None) -> dict:
    """The defaults of ``code`` with the stored parameters over them."""
    return {**DEFAULTS.get(code, {}), **(parameters or {})}


def rule_of(code: str, parameters: dict | None) -> PeopleRule:
    values = parameters_of(code, parameters)
    return PeopleRule(
        disabled_levels=tuple(values.get(DISABLED_LEVELS, NATIONAL_GRADES)),
        key_reading=values.get(KEY_TARGETS, KeyReading.LISTED.value),
        count_communities=bool(values.get(COUNT_COMMUNITIES, False)),
    )


def pairing_indicator():
    """The one-to-one indicator, whose choices the pairing pages and API follow."""
    from coverage.models import Indicator

    return Indicator.objects.filter(code=PAIRING_INDICATOR).first()


def pairing_rule() -> PeopleRule:
    """The choices the pairing rule follows on the pages and the API: those of the one-to-one
    indicator, so a page's list of seniors lacking a pairing is the indicator's gap."""
    indicator = pairing_indicator()
    return rule_of(PAIRING_INDICATOR, indicator.parameters if indicator else None)


def how_counted(indicator) -> str:
    """One line saying which choices an indicator's figure is counted with (empty when it
    has none)."""
    code = indicator.code
    if code not in DEFAULTS:
        return ""
    values = parameters_of(code, indicator.parameters)
    rule = rule_of(code, indicator.parameters)
    parts = []
    if DISABLED_LEVELS in values:
        grades = "、".join(str(Level(level).label) for level in rule.disabled_levels)
        national = set(rule.disabled_levels) == set(NATIONAL_GRADES)
        parts.append(
            (
                _("失能: Barthel grades %(grades)s (the national grades)")
                if national
                else _("失能: Barthel grades %(grades)s (not the national grades)")
            )
            % {"grades": grades}
        )
    if KEY_TARGETS in values:
        parts.append(
            _(
                "重点对象: home-living 特困, seniors of 低保 or 低收入 households, "
                "disabled seniors of 计划生育特殊家庭"
            )
            if rule.key_reading == KeyReading.LISTED
            else _(
                "重点对象: home-living 特困, disabled seniors of 低保/低收入 households "
                "or of 计划生育特殊家庭"
            )
        )
    if code == "family_doctor_signed":
        parts.append(_("a contract counts for a year from signing unless renewed"))
    parts.append(
        _("residents of 社区 counted")
        if rule.count_communities
        else _("residents of 社区 counted only where the community counts as a village")
    )
    parts.append(_("categories as of the day"))
    return _("%(choices)s.") % {"choices": _("; ").join(parts)}
