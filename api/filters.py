"""Filters shared by the API's resources."""

from regions.models import prefix_of_code


def region_filter(lookup: str):
    """``?region=<code>`` of any level: the rows whose ``lookup`` lies in that subtree."""

    def filter_region(self, queryset, name, value):
        return queryset.filter(**{f"{lookup}__startswith": prefix_of_code(value.strip())})

    return filter_region
