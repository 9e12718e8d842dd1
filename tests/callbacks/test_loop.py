"""The closed loop between follow-up calls and complaints (seed 003): a resolved complaint owes one follow-up call;
satisfied closes it, dissatisfied reopens it; a dissatisfied customer after a sale or a repair is a new complaint."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cac.platform.attempts import AttemptResult
from callbacks.models import Callback, Kind, Status
from callbacks.services import callback_record_attempt
from complaints.models import Category, Channel, Complaint, Department
from complaints.models import Status as ComplaintStatus
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.callbacks.conftest import SHANGHAI, local
from tests.complaints.factories import open_complaint, walk

pytestmark = pytest.mark.django_db

CALL_TIME = local(2025, 3, 10, 10, 30)


@pytest.fixture
def resolved(dealer, supervisor):
    """A complaint walked to resolved by the service manager, as on the complaint screens."""
    customer = CustomerFactory(dealer=dealer, name="陈静")
    vehicle = VehicleFactory(customer=customer)
    complaint = open_complaint(customer=customer, acting_user=supervisor, vehicle=vehicle)
    return walk(complaint, to=ComplaintStatus.RESOLVED, user=supervisor)


def reach(callback, user, *, satisfaction, answers, remarks="", complaint_category=""):
    with time_machine.travel(CALL_TIME, tick=False):
        return callback_record_attempt(
            callback_id=callback.pk,
            acting_user=user,
            result=AttemptResult.REACHED,
            satisfaction=satisfaction,
            answers=answers,
            remarks=remarks,
            complaint_category=complaint_category,
        )


def test_resolving_a_complaint_schedules_exactly_one_follow_up(resolved):
    callbacks = Callback.objects.filter(complaint=resolved)
    assert callbacks.count() == 1
    callback = callbacks.get()
    assert callback.kind == Kind.AFTER_COMPLAINT
    assert callback.status == Status.SCHEDULED
    assert callback.customer == resolved.customer
    assert callback.vehicle == resolved.vehicle
    resolved_day = timezone.localtime(resolved.resolved_at).date()
    assert callback.due_at == datetime.combine(resolved_day + timedelta(days=3), time(18, 0), tzinfo=SHANGHAI)
    assert Callback.objects.count() == 1


def test_satisfied_closes_the_complaint(resolved, agent, answers_for):
    callback = Callback.objects.get(complaint=resolved)
    callback = reach(callback, agent, satisfaction=5, answers=answers_for(callback), remarks="问题已解决，很满意")
    assert callback.status == Status.COMPLETED
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.CLOSED
    assert resolved.reopen_count == 0
    assert callback.raised_complaint is None
    assert Complaint.objects.count() == 1


def test_dissatisfied_reopens_the_complaint(resolved, agent, answers_for):
    callback = Callback.objects.get(complaint=resolved)
    answers = answers_for(callback)
    callback = reach(callback, agent, satisfaction=2, answers=answers, remarks="异响又出现了")
    assert callback.status == Status.COMPLETED
    assert callback.answers == answers
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.REOPENED
    assert resolved.reopen_count == 1
    assert Complaint.objects.count() == 1  # reopened, not a new one


def test_resolving_the_reopened_complaint_again_owes_a_new_call(resolved, agent, supervisor, answers_for):
    callback = Callback.objects.get(complaint=resolved)
    reach(callback, agent, satisfaction=1, answers=answers_for(callback))
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        walk_again = ["investigate", "propose_countermeasure", "start", "resolve"]
        from complaints.services import complaint_transition
        from tests.complaints.factories import STEP_DATA

        for action in walk_again:
            complaint_transition(
                complaint_id=resolved.pk, action=action, acting_user=supervisor, **STEP_DATA.get(action, {})
            )
    assert Callback.objects.filter(complaint=resolved, kind=Kind.AFTER_COMPLAINT).count() == 2


@pytest.mark.parametrize(
    ("kind", "channel", "category", "department"),
    [
        (Kind.AFTER_SALE, Channel.SALES_FOLLOW_UP, Category.SERVICE_ATTITUDE, Department.SALES),
        (Kind.AFTER_SALE, Channel.SALES_FOLLOW_UP, Category.PURCHASE, Department.SALES),
        (Kind.AFTER_SERVICE, Channel.SERVICE_FOLLOW_UP, Category.REPAIR_COST, Department.AFTER_SALES),
        (Kind.AFTER_SERVICE, Channel.SERVICE_FOLLOW_UP, Category.PARTS, Department.AFTER_SALES),
    ],
)
def test_dissatisfied_after_sale_or_service_opens_a_complaint_of_the_category_the_caller_picked(
    make_callback, agent, answers_for, kind, channel, category, department
):
    callback = make_callback(kind=kind)
    callback = reach(
        callback,
        agent,
        satisfaction=3,
        answers=answers_for(callback),
        remarks="交车时没讲解功能",
        complaint_category=category,
    )
    complaint = callback.raised_complaint
    assert complaint is not None
    assert (complaint.channel, complaint.category, complaint.department) == (channel, category, department)
    assert complaint.customer == callback.customer
    assert complaint.vehicle == callback.vehicle
    assert "交车时没讲解功能" in complaint.description
    assert complaint.calls.filter(callback_attempt__callback=callback).exists()
    assert Callback.objects.get(pk=callback.pk).raised_complaint == complaint
    assert complaint.raised_by_callback == callback


@pytest.mark.parametrize("category", ["", "bribe"])
def test_dissatisfied_without_a_category_is_refused_and_writes_nothing(make_callback, agent, answers_for, category):
    callback = make_callback(kind=Kind.AFTER_SERVICE)
    with pytest.raises(ValidationError) as refused:
        reach(callback, agent, satisfaction=2, answers=answers_for(callback), complaint_category=category)
    assert "complaint_category" in refused.value.message_dict
    callback.refresh_from_db()
    assert callback.status != Status.COMPLETED
    assert not callback.attempts.exists()
    assert Complaint.objects.count() == 0


def test_a_reopened_complaint_gets_a_new_deadline_and_goes_back_to_the_manager(
    resolved, agent, supervisor, answers_for
):
    """Seed 003 §7: not satisfied → back to the service manager; its resolution clock starts at the reopen."""
    Complaint.objects.filter(pk=resolved.pk).update(owner=agent, resolve_due_at=CALL_TIME - timedelta(days=5))
    callback = Callback.objects.get(complaint=resolved)
    reach(callback, agent, satisfaction=2, answers=answers_for(callback), remarks="异响又出现了")
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.REOPENED
    assert resolved.owner == supervisor
    assert resolved.resolve_due_at > CALL_TIME
    record = resolved.history.order_by("-history_id").first()
    assert (record.history_step, record.history_user) == ("reopen", agent)
    assert "2/5" in record.history_note


@pytest.mark.parametrize("kind", [Kind.AFTER_SALE, Kind.AFTER_SERVICE, Kind.MAINTENANCE])
def test_satisfied_opens_nothing(make_callback, agent, answers_for, kind):
    callback = make_callback(kind=kind)
    callback = reach(callback, agent, satisfaction=4, answers=answers_for(callback))
    assert callback.status == Status.COMPLETED
    assert callback.raised_complaint is None
    assert Complaint.objects.count() == 0


def test_a_dissatisfied_care_call_opens_no_complaint(make_callback, agent):
    callback = make_callback(kind=Kind.BIRTHDAY, with_vehicle=False)
    callback = reach(callback, agent, satisfaction=2, answers={})
    assert callback.raised_complaint is None
    assert Complaint.objects.count() == 0


def test_no_loop_when_the_call_is_not_reached(resolved, agent):
    callback = Callback.objects.get(complaint=resolved)
    with time_machine.travel(CALL_TIME, tick=False):
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result=AttemptResult.NO_ANSWER)
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.RESOLVED
