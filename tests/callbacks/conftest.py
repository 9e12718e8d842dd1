"""Fixtures of the follow-up call tests: staff of each role, and callbacks in any state written directly (fast, for
lists, scoping and query counts). Flows that need real history go through callbacks.services."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cac import roles
from cac.platform.attempts import slot_of
from callbacks.models import Callback, CallbackAttempt, Kind, Status
from tests.cac.factories import CustomerFactory, VehicleFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    """A moment in the dealer's time zone: local(2025, 3, 10, 9, 30)."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def supervisor(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="supervisor", first_name="强", last_name="刘")


@pytest.fixture
def executive(make_user, dealer):
    return make_user(roles.EXECUTIVE, dealer, username="executive", first_name="总", last_name="张")


@pytest.fixture
def second_agent(make_user, dealer):
    return make_user(roles.AGENT, dealer, username="agent-2", first_name="丽", last_name="赵")


@pytest.fixture
def make_callback(dealer, agent):
    """A callback row in any state, with optional attempts given as (moment, result)."""

    def make(
        *,
        customer=None,
        kind=Kind.AFTER_SALE,
        status=Status.DUE,
        due_at=None,
        attempts=(),
        with_vehicle=True,
        **fields,
    ) -> Callback:
        customer = customer or CustomerFactory(dealer=fields.get("dealer", dealer))
        vehicle = VehicleFactory(customer=customer) if with_vehicle else None
        fields.setdefault("dealer", customer.dealer)
        fields.setdefault("agent", agent)
        callback = Callback.objects.create(
            customer=customer,
            vehicle=vehicle,
            kind=kind,
            status=status,
            due_at=due_at or timezone.now() + timedelta(hours=2),
            **fields,
        )
        for moment, result in attempts:
            CallbackAttempt.objects.create(
                callback=callback,
                attempted_at=moment,
                slot=slot_of(moment, SHANGHAI),
                result=result,
                agent=callback.agent or fields["agent"],
            )
        return callback

    return make


@pytest.fixture
def answers_for():
    """Complete answers to a callback's questionnaire: top score, yes, and a sentence."""
    from callbacks.models import Question
    from callbacks.services import questions_for

    def answers(callback) -> dict:
        values = {Question.AnswerType.SCORE: 5, Question.AnswerType.YES_NO: "yes", Question.AnswerType.TEXT: "很好"}
        return {
            str(question.pk): values[question.answer_type]
            for question in questions_for(dealer=callback.dealer, kind=callback.kind)
        }

    return answers
