"""``{{ indicator|how_counted }}``: the choices an indicator's figure is counted with."""

from django import template

from coverage.definitions import how_counted as _how_counted

register = template.Library()


@register.filter
def how_counted(indicator) -> str:
    return _how_counted(indicator) if indicator is not None else ""
