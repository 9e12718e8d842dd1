"""The deadline tasks: thin, safe to redeliver, scheduled by beat."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError

from cac.tasks import deadline_digest_task, sweep_deadlines_task
from complaints.models import Complaint, Escalation, EscalationLevel
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory
from tests.deadlines.conftest import at, local

pytestmark = pytest.mark.django_db


def test_the_sweep_task_survives_a_lost_worker():
    assert sweep_deadlines_task.acks_late is True
    assert sweep_deadlines_task.reject_on_worker_lost is True
    assert OperationalError in sweep_deadlines_task.autoretry_for


def test_beat_runs_the_sweep_every_minute_and_the_digest_at_half_past_eight():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-deadlines"] == {"task": "cac.sweep_deadlines", "schedule": 60.0}
    assert schedule["deadline-digest"]["task"] == "cac.deadline_digest"
    assert schedule["deadline-digest"]["schedule"] == crontab(hour=8, minute=30)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_running_the_task_twice_acts_once(dealer, staff):
    complaint = ComplaintFactory(
        customer=CustomerFactory(dealer=dealer),
        received_at=local(2025, 3, 10, 9, 0),
        acknowledge_due_at=local(2025, 3, 10, 18, 0),
        resolve_due_at=local(2025, 3, 13, 18, 0),
    )
    with at(2025, 3, 10, 18, 1):
        assert sweep_deadlines_task.apply().result["complaints_escalated"] == 1
        assert sweep_deadlines_task.apply().result == {}
        assert deadline_digest_task.apply().result == 3
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    assert Escalation.objects.count() == 1
