"""`{{ value|percent_text }}`: a percentage as every page and the PDF show it (cac.platform.ratios)."""

from django import template

from cac.platform import ratios

register = template.Library()


@register.filter
def percent_text(value) -> str:
    return ratios.percent_text(value)
