"""Badges and numbers of the follow-up call screens."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from cac.platform.ratios import percent_text
from callbacks.models import Status

register = template.Library()


@register.simple_tag
def callback_status_badge(callback) -> str:
    return format_html(
        '<span class="badge cb-status cb-status-{}" data-status="{}">{}</span>',
        callback.status,
        callback.status,
        Status(callback.status).label,
    )


@register.filter
def percent(rate) -> str:
    """0.8333 → 83.3%; nothing to divide by → — (cac.platform.ratios)."""
    return percent_text(None if rate is None else rate * 100)


@register.filter
def score(value) -> str:
    if value is None:
        return "—"
    return number_format(round(value, 1), decimal_pos=1)
