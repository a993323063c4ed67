"""Writing the view log: the people whose full numbers a request showed (noted by
``audit.personal.shown``, written by ``audit.middleware``), and exports with full numbers."""

from __future__ import annotations

from accounts.addresses import client_address
from audit.models import Channel, PersonView

# the field of PersonView that names each kind of person, and where that person lives
_SUBJECTS = {
    "seniors.senior": ("senior", lambda p: p.village_id),
    "facilities.staffmember": ("staff_member", lambda p: p.facility.region_id),
    "volunteers.volunteer": ("volunteer", lambda p: p.village_id),
}


def _address(request) -> str | None:
    return client_address(request) if request is not None else None


def people_viewed(request, people, channel: str) -> None:
    """One row per person whose full numbers ``request``'s user was shown."""
    rows = []
    for person in people:
        field, region_of = _SUBJECTS[person._meta.label_lower]
        rows.append(
            PersonView(
                user=request.user,
                region_id=region_of(person),
                channel=channel,
                address=_address(request),
                **{field: person},
            )
        )
    PersonView.objects.bulk_create(rows)


def export_viewed(request, *, region_code: str, count: int, query: str) -> None:
    PersonView.objects.create(
        user=request.user,
        region_id=region_code,
        channel=Channel.EXPORT,
        count=count,
        query=query[:500],
        address=_address(request),
    )
