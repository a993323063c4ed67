"""The shapes of the API's resources: records are listed, read, created and (some) changed,
never deleted (statuses instead; plan data are kept)."""

from rest_framework import mixins, viewsets


class ReadCreateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """``GET`` a list and a record, ``POST`` a new one."""


class ReadCreateUpdateViewSet(mixins.UpdateModelMixin, ReadCreateViewSet):
    """``GET`` a list and a record, ``POST`` a new one, ``PUT``/``PATCH`` a change."""
