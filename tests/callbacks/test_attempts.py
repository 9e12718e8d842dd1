"""The 3-slot attempts rule (seed 000): cac.platform.attempts.attempts_state on its own, then through
callbacks.services.callback_record_attempt with the clock set by time-machine."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from cac.deadlines.sms import MemorySmsBackend, SmsError, sms_deliver
from cac.models import CallLog, Customer, SmsMessage
from cac.platform.attempts import AttemptResult, attempts_state, latest_slot_moment, next_slot_start, slot_of
from callbacks.models import CallbackAttempt, Status
from callbacks.services import callback_record_attempt
from tests.callbacks.conftest import SHANGHAI, local

NO_ANSWER, BUSY, WRONG = AttemptResult.NO_ANSWER, AttemptResult.BUSY, AttemptResult.WRONG_NUMBER


def state(*attempts):
    """attempts as (moment, result); the slot is the one the moment falls in."""
    return attempts_state([(at, slot_of(at, SHANGHAI), result) for at, result in attempts], zone=SHANGHAI)


# --- The rule on its own ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "slot"),
    [
        (7, 59, None),
        (8, 0, "morning"),
        (11, 59, "morning"),
        (12, 0, "afternoon"),
        (17, 59, "afternoon"),
        (18, 0, "evening"),
        (20, 59, "evening"),
        (21, 0, None),
        (23, 30, None),
        (3, 0, None),
    ],
)
def test_slot_of_follows_the_configured_boundaries(hour, minute, slot):
    assert slot_of(local(2025, 3, 10, hour, minute), SHANGHAI) == slot


@pytest.mark.parametrize(
    ("moment", "latest", "following"),
    [
        (local(2025, 3, 10, 10, 15), local(2025, 3, 10, 10, 15), local(2025, 3, 10, 10, 15)),
        (local(2025, 3, 10, 22, 30), local(2025, 3, 10, 20, 59), local(2025, 3, 11, 8, 0)),
        (local(2025, 3, 10, 7, 59), local(2025, 3, 9, 20, 59), local(2025, 3, 10, 8, 0)),
        (local(2025, 3, 1, 0, 5), local(2025, 2, 28, 20, 59), local(2025, 3, 1, 8, 0)),
        (local(2027, 1, 1, 0, 30), local(2026, 12, 31, 20, 59), local(2027, 1, 1, 8, 0)),
        (local(2028, 12, 31, 21, 0), local(2028, 12, 31, 20, 59), local(2029, 1, 1, 8, 0)),
    ],
)
def test_the_latest_slot_moment_before_and_the_next_slot_after(moment, latest, following):
    assert latest_slot_moment(moment, SHANGHAI) == latest
    assert next_slot_start(moment, SHANGHAI) == following
    assert slot_of(latest, SHANGHAI) is not None


def test_slot_boundaries_are_configurable(settings):
    settings.CAC_CONTACT_SLOTS = [
        ("morning", "09:00", "11:30"),
        ("afternoon", "11:30", "17:00"),
        ("evening", "17:00", "20:00"),
    ]
    assert slot_of(local(2025, 3, 10, 8, 30), SHANGHAI) is None
    assert slot_of(local(2025, 3, 10, 11, 45), SHANGHAI) == "afternoon"
    assert slot_of(local(2025, 3, 10, 17, 0), SHANGHAI) == "evening"
    result = state((local(2025, 3, 10, 9, 30), NO_ANSWER))
    assert result.next_attempt_at == local(2025, 3, 10, 11, 30)


def test_no_attempt_yet_may_be_tried_now():
    result = state()
    assert not result.unreachable
    assert result.next_attempt_at is None
    assert result.failed_slots == frozenset()


def test_one_failure_offers_the_next_slot_the_same_day():
    result = state((local(2025, 3, 10, 9, 0), NO_ANSWER))
    assert result.failed_slots == {"morning"}
    assert result.next_attempt_at == local(2025, 3, 10, 12, 0)
    assert not result.unreachable


def test_two_failures_in_the_same_slot_count_once():
    result = state((local(2025, 3, 10, 9, 0), NO_ANSWER), (local(2025, 3, 10, 11, 0), BUSY))
    assert result.failed_slots == {"morning"}
    assert result.next_attempt_at == local(2025, 3, 10, 12, 0)


def test_the_same_slot_on_another_day_still_counts_once():
    result = state(
        (local(2025, 3, 10, 9, 0), NO_ANSWER),
        (local(2025, 3, 11, 9, 0), NO_ANSWER),
        (local(2025, 3, 12, 10, 0), BUSY),
    )
    assert result.failed_slots == {"morning"}
    assert not result.unreachable


def test_next_attempt_skips_slots_that_already_failed():
    # Morning and evening failed: after the evening the next untried slot is tomorrow afternoon, not the morning.
    result = state((local(2025, 3, 10, 9, 0), NO_ANSWER), (local(2025, 3, 10, 19, 0), NO_ANSWER))
    assert result.next_attempt_at == local(2025, 3, 11, 12, 0)


def test_an_evening_failure_offers_tomorrow_morning():
    result = state((local(2025, 3, 10, 19, 30), BUSY))
    assert result.next_attempt_at == local(2025, 3, 11, 8, 0)


def test_unreachable_after_three_different_slots():
    result = state(
        (local(2025, 3, 10, 9, 0), NO_ANSWER),
        (local(2025, 3, 10, 13, 0), BUSY),
        (local(2025, 3, 10, 19, 0), NO_ANSWER),
    )
    assert result.unreachable
    assert result.failed_slots == {"morning", "afternoon", "evening"}
    assert result.next_attempt_at is None


def test_three_failures_in_two_slots_are_not_enough():
    result = state(
        (local(2025, 3, 10, 9, 0), NO_ANSWER),
        (local(2025, 3, 10, 10, 0), NO_ANSWER),
        (local(2025, 3, 10, 13, 0), NO_ANSWER),
    )
    assert not result.unreachable
    assert result.next_attempt_at == local(2025, 3, 10, 18, 0)


def test_a_wrong_number_is_unreachable_at_once():
    result = state((local(2025, 3, 10, 9, 0), WRONG))
    assert result.unreachable
    assert result.next_attempt_at is None


def test_the_number_of_slots_is_configurable(settings):
    settings.CAC_UNREACHABLE_AFTER_SLOTS = 2
    result = state((local(2025, 3, 10, 9, 0), NO_ANSWER), (local(2025, 3, 10, 13, 0), NO_ANSWER))
    assert result.unreachable


# --- Through the service ------------------------------------------------------------------------------------------


@pytest.fixture
def outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def attempt(callback, user, result, moment, **data):
    with time_machine.travel(moment, tick=False):
        return callback_record_attempt(callback_id=callback.pk, acting_user=user, result=result, **data)


@pytest.mark.django_db
def test_a_failed_attempt_records_the_call_and_the_next_slot(make_callback, agent):
    callback = make_callback()
    callback = attempt(callback, agent, NO_ANSWER, local(2025, 3, 10, 9, 15), note="关机")
    assert callback.status == Status.IN_PROGRESS
    assert callback.next_attempt_at == local(2025, 3, 10, 12, 0)
    recorded = CallbackAttempt.objects.get(callback=callback)
    assert (recorded.slot, recorded.result, recorded.agent, recorded.note) == ("morning", NO_ANSWER, agent, "关机")
    call = recorded.call
    assert call.direction == CallLog.Direction.OUTBOUND
    assert call.purpose == CallLog.Purpose.FOLLOW_UP
    assert call.customer == callback.customer
    assert call.handled_by == agent


@pytest.mark.django_db
def test_a_second_failure_in_the_same_slot_is_refused_and_changes_nothing(make_callback, agent):
    callback = attempt(make_callback(), agent, NO_ANSWER, local(2025, 3, 10, 9, 15))
    with pytest.raises(ValidationError) as refused:
        attempt(callback, agent, BUSY, local(2025, 3, 10, 11, 0))
    assert "12:00" in " ".join(refused.value.messages)
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1
    assert CallLog.objects.count() == 1
    callback.refresh_from_db()
    assert callback.next_attempt_at == local(2025, 3, 10, 12, 0)


@pytest.mark.django_db
def test_reaching_the_customer_in_the_same_slot_is_allowed(make_callback, agent, answers_for):
    callback = attempt(make_callback(), agent, NO_ANSWER, local(2025, 3, 10, 9, 15))
    callback = attempt(
        callback, agent, AttemptResult.REACHED, local(2025, 3, 10, 9, 40), satisfaction=5, answers=answers_for(callback)
    )
    assert callback.status == Status.COMPLETED
    assert callback.next_attempt_at is None


@pytest.mark.django_db
def test_the_next_attempt_is_allowed_from_the_start_of_the_next_slot(make_callback, agent):
    callback = attempt(make_callback(), agent, NO_ANSWER, local(2025, 3, 10, 9, 15))
    callback = attempt(callback, agent, BUSY, local(2025, 3, 10, 12, 0))
    assert callback.status == Status.IN_PROGRESS
    assert callback.next_attempt_at == local(2025, 3, 10, 18, 0)


@pytest.mark.django_db
def test_three_slots_make_the_customer_unreachable_and_send_an_sms(make_callback, agent, outbox):
    callback = make_callback()
    for moment in (local(2025, 3, 10, 9, 0), local(2025, 3, 10, 13, 0)):
        callback = attempt(callback, agent, NO_ANSWER, moment)
        assert callback.status == Status.IN_PROGRESS
    assert SmsMessage.objects.count() == 0
    callback = attempt(callback, agent, NO_ANSWER, local(2025, 3, 10, 19, 0))
    assert callback.status == Status.UNREACHABLE
    assert callback.completed_at == local(2025, 3, 10, 19, 0)
    sms = SmsMessage.objects.get()
    assert (sms.purpose, sms.phone, sms.customer, sms.status) == (
        "follow_up_unreachable",
        callback.customer.mobile,
        callback.customer,
        SmsMessage.Status.QUEUED,
    )
    assert outbox == []  # sent by a worker after the commit
    sms = sms_deliver(message_id=sms.pk)
    assert sms.status == SmsMessage.Status.SENT
    assert [(request.phone, request.text) for request in outbox] == [(callback.customer.mobile, sms.text)]
    assert sms.text.startswith("【顾客服务中心】")
    assert callback.dealer.name in sms.text


@pytest.mark.django_db
def test_a_wrong_number_is_unreachable_at_once_through_the_service(make_callback, agent, outbox):
    callback = attempt(make_callback(), agent, WRONG, local(2025, 3, 10, 9, 0))
    assert callback.status == Status.UNREACHABLE
    assert SmsMessage.objects.filter(purpose="follow_up_unreachable").count() == 1


@pytest.mark.django_db
def test_the_service_follows_the_configured_number_of_slots(settings, make_callback, agent):
    settings.CAC_UNREACHABLE_AFTER_SLOTS = 2
    callback = attempt(make_callback(), agent, NO_ANSWER, local(2025, 3, 10, 9, 0))
    callback = attempt(callback, agent, NO_ANSWER, local(2025, 3, 10, 13, 0))
    assert callback.status == Status.UNREACHABLE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "next_slot"),
    [
        (local(2025, 3, 10, 7, 30), "2025年3月10日 08:00"),
        (local(2025, 3, 10, 21, 0), "2025年3月11日 08:00"),
        (local(2025, 3, 10, 22, 30), "2025年3月11日 08:00"),
        (local(2025, 3, 31, 23, 45), "2025年4月1日 08:00"),
    ],
)
def test_an_attempt_outside_every_slot_is_refused_with_the_next_slot(make_callback, agent, moment, next_slot):
    callback = make_callback()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        attempt(callback, agent, NO_ANSWER, moment)
    assert f"下一个时段从 {next_slot} 开始" in refused.value.messages[0]
    assert CallLog.objects.count() == 0
    assert CallbackAttempt.objects.count() == 0
    callback.refresh_from_db()
    assert callback.status == Status.DUE


@pytest.mark.django_db
def test_declined_prefers_sms_and_sends_one(make_callback, agent, outbox):
    callback = make_callback()
    callback = attempt(
        callback, agent, AttemptResult.DECLINED, local(2025, 3, 10, 10, 0), remarks="不希望电话打扰，短信即可"
    )
    assert callback.status == Status.DECLINED
    assert callback.remarks == "不希望电话打扰，短信即可"
    customer = Customer.objects.get(pk=callback.customer_id)
    assert customer.preferred_channel == Customer.ContactChannel.SMS
    assert customer.history.filter(history_type="~").get().history_user == agent
    sms = SmsMessage.objects.get()
    assert sms.purpose == "follow_up_declined"
    assert sms.customer == customer
    sms_deliver(message_id=sms.pk)
    assert len(outbox) == 1


@pytest.mark.django_db
def test_a_failed_sms_is_recorded_and_the_callback_still_finishes(settings, make_callback, agent):
    settings.CAC_SMS_BACKEND = "tests.callbacks.test_attempts.FailingBackend"
    callback = attempt(make_callback(), agent, WRONG, local(2025, 3, 10, 9, 0))
    assert callback.status == Status.UNREACHABLE
    sms = sms_deliver(message_id=SmsMessage.objects.get().pk)
    assert sms.status == SmsMessage.Status.FAILED
    assert "gateway down" in sms.error


class FailingBackend:
    vendor = "failing"

    def send(self, request):
        raise SmsError("gateway down")


@pytest.mark.django_db
def test_english_names_the_next_slot_in_year_month_day_order_on_the_24_hour_clock(make_callback, agent):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        attempt(make_callback(), agent, NO_ANSWER, local(2025, 3, 10, 21, 0))
    message = refused.value.messages[0]
    assert "2025-03-11 08:00" in message
    assert "a.m." not in message and ".." not in message
