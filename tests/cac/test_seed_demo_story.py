"""The demo tells a plausible dealer's last 13 months: calls in business hours only, the after-complaint follow-ups
spread over the months, and it seeds twice (at 23:30 in Shanghai, when the UTC and local dates differ)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.utils import timezone

from cac.models import CallLog, Dealer
from callbacks.models import Callback, Kind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_is_a_true_story_and_seeds_twice(db, settings):
    settings.DEBUG = True
    with time_machine.travel(datetime(2026, 12, 3, 15, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("seed_demo", customers=40, stdout=StringIO())
        call_command("seed_demo", customers=40, stdout=StringIO())
    dealer = Dealer.objects.get(code="GZ01")
    # The line's hours are its call slots (seed 000: morning, afternoon, evening): none at night.
    first, last = settings.CAC_CONTACT_SLOTS[0][1], settings.CAC_CONTACT_SLOTS[-1][2]
    night = [
        moment
        for moment in (timezone.localtime(call.started_at, SHANGHAI) for call in CallLog.objects.filter(dealer=dealer))
        if not (first <= f"{moment:%H:%M}" < last)
    ]
    assert night == []
    follow_ups = Callback.objects.filter(dealer=dealer, kind=Kind.AFTER_COMPLAINT)
    due_months = {f"{timezone.localtime(c.due_at, SHANGHAI):%Y-%m}" for c in follow_ups}
    assert len(due_months) >= 10, due_months
    assert all(c.due_at >= c.complaint.received_at for c in follow_ups.select_related("complaint"))
