"""Badges of the complaint screens: status, severity, escalation level and the state of a deadline."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints.deadlines import DeadlineState, deadline_state
from complaints.models import UNRESOLVED_STATUSES, EscalationLevel, Severity, Status

register = template.Library()

DEADLINE_CLASSES = {
    DeadlineState.ON_TIME: "text-bg-success",
    DeadlineState.DUE_SOON: "text-bg-warning",
    DeadlineState.BREACHED: "text-bg-danger",
    "met": "text-bg-light border",
    "late": "text-bg-light border border-danger text-danger",
}
DEADLINE_LABELS = {**DeadlineState.LABELS, "met": _("Met"), "late": _("Met late")}
SEVERITY_CLASSES = {Severity.MAJOR: "text-bg-warning", Severity.EMERGENCY: "text-bg-danger"}


def _badge(css: str, label, **data) -> str:
    attributes = format_html_join("", ' data-{}="{}"', data.items())
    return format_html('<span class="badge {}"{}>{}</span>', css, attributes, label)


@register.simple_tag
def status_badge(complaint) -> str:
    return _badge(f"status-badge status-{complaint.status}", Status(complaint.status).label, status=complaint.status)


@register.simple_tag
def severity_badge(complaint, always: bool = False) -> str:
    """Only major and emergency stand out in lists; `always` shows normal too."""
    css = SEVERITY_CLASSES.get(complaint.severity)
    if css is None and not always:
        return ""
    return _badge(css or "text-bg-light border", Severity(complaint.severity).label)


@register.simple_tag
def escalation_badge(complaint, always: bool = False) -> str:
    level = complaint.escalation_level
    if level == EscalationLevel.AGENT and not always:
        return ""
    css = "text-bg-danger" if level >= EscalationLevel.DIRECTOR else "text-bg-secondary"
    if level == EscalationLevel.AGENT:
        css = "text-bg-light border"
    return _badge(f"escalation-badge {css}", f"L{level} · {EscalationLevel(level).label}", level=level)


@register.simple_tag
def deadline_badge(complaint) -> str:
    """The state of the deadline that runs now (on time / due soon / breached); nothing once resolved."""
    state = deadline_state(complaint.current_due_at, status=complaint.status)
    if not state:
        return ""
    return _badge(f"deadline-badge {DEADLINE_CLASSES[state]}", DEADLINE_LABELS[state], state=state)


def _outcome(due_at, done_at, *, running: bool, status: str) -> str:
    """One deadline of the detail page: its live state while it runs, else whether it was met."""
    if running:
        state = deadline_state(due_at, status=status)
    elif done_at is not None:
        state = "met" if done_at <= due_at else "late"
    else:
        return ""
    return _badge(f"deadline-badge {DEADLINE_CLASSES[state]}", DEADLINE_LABELS[state], state=state)


@register.simple_tag
def acknowledge_outcome(complaint) -> str:
    running = complaint.status == Status.NEW
    return _outcome(complaint.acknowledge_due_at, complaint.acknowledged_at, running=running, status=complaint.status)


@register.simple_tag
def resolve_outcome(complaint) -> str:
    running = complaint.status in UNRESOLVED_STATUSES
    return _outcome(complaint.resolve_due_at, complaint.resolved_at, running=running, status=complaint.status)
