"""Logging the views of full personal numbers (called by the pages, the API and exports)."""

from __future__ import annotations

from accounts.addresses import client_address
from audit.models import Channel, PersonView


def _address(request) -> str | None:
    return client_address(request) if request is not None else None


def person_viewed(request, senior, channel: str = Channel.PAGE) -> None:
    PersonView.objects.create(
        user=request.user,
        senior=senior,
        region_id=senior.village_id,
        channel=channel,
        address=_address(request),
    )


def export_viewed(request, *, region_code: str, count: int, query: str) -> None:
    PersonView.objects.create(
        user=request.user,
        region_id=region_code,
        channel=Channel.EXPORT,
        count=count,
        query=query[:500],
        address=_address(request),
    )
