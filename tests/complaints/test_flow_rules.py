"""The rules of seeds 000 and 003 on the way a complaint is acknowledged, reopened and closed: the answer time
promised to the customer, the new deadline of a reopened complaint, the close kinds and the prevention measure's
date."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cac import roles
from complaints.models import CloseKind, Complaint, Status
from complaints.services import complaint_transition, complaint_update_details
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import close_after_follow_up, open_complaint, walk

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager")


@pytest.fixture
def complaint(dealer, agent, manager):
    with time_machine.travel(TUESDAY, tick=False):
        yield open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)


def test_acknowledging_records_the_answer_time_promised(complaint, agent):
    promised = TUESDAY + timedelta(days=2)
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        complaint_transition(
            complaint_id=complaint.pk, action="acknowledge", acting_user=agent, answer_promised_at=promised
        )
    complaint.refresh_from_db()
    assert complaint.answer_promised_at == promised
    record = complaint.history.order_by("-history_id").first()
    assert (record.history_step, record.history_user, record.answer_promised_at) == ("acknowledge", agent, promised)


def test_without_a_time_given_the_promise_is_the_resolution_deadline(complaint, agent):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=agent)
    complaint.refresh_from_db()
    assert complaint.answer_promised_at == complaint.resolve_due_at


def test_a_promise_in_the_past_is_refused_and_changes_nothing(complaint, agent):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False), pytest.raises(ValidationError) as refused:
        complaint_transition(
            complaint_id=complaint.pk, action="acknowledge", acting_user=agent, answer_promised_at=TUESDAY
        )
    assert "answer_promised_at" in refused.value.message_dict
    complaint.refresh_from_db()
    assert (complaint.status, complaint.answer_promised_at) == (Status.NEW, None)


def test_the_detail_shows_the_promise_and_the_acknowledge_form_asks_for_it(client, complaint, agent):
    client.force_login(agent)
    url = reverse("complaints:detail", args=[complaint.pk])
    assert 'name="acknowledge-answer_promised_at"' in client.get(url).content.decode()
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        response = client.post(
            reverse("complaints:transition", args=[complaint.pk, "acknowledge"]),
            {"acknowledge-answer_promised_at": "2026-03-12 17:00", "acknowledge-note": "已告知客户两天内答复"},
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.answer_promised_at == datetime(2026, 3, 12, 17, 0, tzinfo=SHANGHAI)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="answer-promised"' in body


def test_a_reopened_complaint_is_not_breached_by_its_old_deadline(complaint, agent, manager):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        walk(complaint, to=Status.RESOLVED, user=manager)
    old_due = Complaint.objects.get(pk=complaint.pk).resolve_due_at
    reopened_at = old_due + timedelta(days=10)
    with time_machine.travel(reopened_at, tick=False):
        complaint_transition(complaint_id=complaint.pk, action="reopen", acting_user=agent, note="回访不满意")
    complaint.refresh_from_db()
    assert complaint.status == Status.REOPENED
    assert complaint.resolve_due_at > reopened_at
    assert complaint.answer_promised_at == complaint.resolve_due_at
    assert complaint.owner == manager


def test_a_satisfied_follow_up_closes_as_satisfied_and_a_manager_closes_apart(dealer, agent, manager):
    with time_machine.travel(TUESDAY, tick=False):
        satisfied = walk(
            open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent), to=Status.RESOLVED, user=manager
        )
        accepted = walk(
            open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent), to=Status.RESOLVED, user=manager
        )
        close_after_follow_up(satisfied, user=agent)
        complaint_transition(
            complaint_id=accepted.pk,
            action="close_by_manager",
            acting_user=manager,
            note="客户表示不满意但能接受",
            close_kind=CloseKind.ACCEPTED,
        )
    kinds = dict(Complaint.objects.values_list("pk", "close_kind"))
    assert kinds == {satisfied.pk: CloseKind.SATISFIED, accepted.pk: CloseKind.ACCEPTED}


def test_the_prevention_measure_keeps_its_date(complaint, agent):
    later = TUESDAY + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        complaint_update_details(complaint_id=complaint.pk, acting_user=agent, prevention_measure="交车前复检")
    complaint.refresh_from_db()
    assert (complaint.prevention_measure, complaint.prevention_measure_at) == ("交车前复检", later)
