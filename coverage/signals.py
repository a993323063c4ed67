"""Changes to the records mark their township dirty, so that a frequent beat task recomputes
only those townships (``coverage.tasks.recompute_dirty``). Changes to the reference data the
pages read beside the snapshots (indicators, targets, plans, regions) make every cached
coverage answer unreachable (``coverage.cache``)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone


def _codes_of(instance) -> list[str]:
    """The region codes a saved record counts in."""
    for attr in ("village_id", "region_id"):
        code = getattr(instance, attr, None)
        if code:
            return [code]
    for attr in ("senior", "facility", "staff", "project", "session"):
        related = getattr(instance, f"{attr}_id", None) and getattr(instance, attr, None)
        if related is not None:
            return _codes_of(related)
    return []


def mark_dirty(codes) -> None:
    """Mark the townships of ``codes`` (region codes of any level below the district)."""
    from coverage.models import DirtyTownship
    from regions.models import Region

    townships = {code[:9] + "000" for code in codes if code and len(code) >= 12}
    townships = set(
        Region.objects.filter(code__in=townships, level="township").values_list("code", flat=True)
    )
    if not townships:
        return
    now = timezone.now()
    DirtyTownship.objects.bulk_create(
        [DirtyTownship(township_id=code, marked_at=now) for code in townships],
        ignore_conflicts=True,
    )


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    mark_dirty(_codes_of(instance))


def _served_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        mark_dirty([*(pk_set or ()), *_codes_of(instance)])


def _reference_changed(sender, raw=False, **kwargs) -> None:
    from coverage import cache

    cache.invalidate()


def connect() -> None:
    from coverage import models as coverage
    from facilities import models as facilities
    from regions.models import Region
    from seniors import models as seniors
    from volunteers import models as volunteers

    watched = (
        seniors.Senior, seniors.Assessment, seniors.Visit,
        facilities.Facility, facilities.Bed, facilities.Placement, facilities.StaffMember,
        facilities.Certificate, facilities.QualityCheck, facilities.UpgradeProject,
        facilities.IndicatorCheck, facilities.OperatingFund, facilities.TrainingSession,
        volunteers.Group, volunteers.ElderlyCareAssistant, volunteers.Pairing,
    )  # fmt: skip
    for model in watched:
        uid = f"coverage-dirty-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        _served_changed,
        sender=facilities.Facility.served_regions.through,
        dispatch_uid="coverage-dirty-served",
    )
    # a target's value, comparison or level changes every region's judgement of it
    for model in (coverage.Indicator, coverage.Target, coverage.Plan, Region):
        uid = f"coverage-cache-{model._meta.label_lower}"
        post_save.connect(_reference_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_reference_changed, sender=model, dispatch_uid=uid + "-delete")
