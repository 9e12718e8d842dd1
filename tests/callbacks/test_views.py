"""The follow-up call screens: who may open which URL, dealer scoping, the worklist order, working one call in one
submit, bad input as field errors with nothing written, the statistics and the query counts."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cac import roles
from cac.models import CallLog
from cac.platform.attempts import AttemptResult
from callbacks.models import Callback, CallbackAttempt, Kind, Question, Status
from callbacks.selectors import callback_stats
from callbacks.services import questions_for
from complaints.models import Complaint
from tests.cac.factories import CustomerFactory
from tests.callbacks.conftest import local
from tests.conftest import verify_two_factor
from tests.csp import csp_problems

pytestmark = pytest.mark.django_db

NOW = local(2025, 3, 10, 10, 0)  # a Monday morning
NO_ANSWER = AttemptResult.NO_ANSWER


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def other_supervisor(make_user, other_dealer):
    return make_user(roles.SERVICE_MANAGER, other_dealer, username="other-supervisor")


def login(client, user):
    client.force_login(user)
    return client


# --- URL × role → status --------------------------------------------------------------------------------------------

URLS = ["worklist", "stats", "month", "detail", "attempt", "cancel", "assign"]
POST_ONLY = {"attempt", "cancel", "assign"}
STATUS = {
    #                   worklist stats month detail attempt cancel assign
    "anonymous": (302, 302, 302, 302, 302, 302, 302),
    "agent": (200, 403, 200, 200, 200, 403, 403),
    "supervisor": (200, 200, 200, 200, 200, 200, 200),
    "executive": (403, 403, 200, 200, 403, 403, 403),
    "other_agent": (200, 403, 200, 404, 404, 403, 403),
    "other_supervisor": (200, 200, 200, 404, 404, 404, 404),
}


def url_of(name: str, callback: Callback) -> str:
    if name in ("worklist", "stats", "month"):
        return reverse(f"callbacks:{name}")
    return reverse(f"callbacks:{name}", args=[callback.pk])


@pytest.mark.parametrize("role", list(STATUS))
def test_url_role_status_table(client, request, make_callback, role):
    callback = make_callback()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for name, expected in zip(URLS, STATUS[role], strict=True):
        url = url_of(name, callback)
        # Empty posts: a form with errors (200), never a write.
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        assert response.status_code == expected, (role, name)
        assert csp_problems(response) == [], (role, name)
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
    assert CallbackAttempt.objects.count() == 0
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id) == (Status.DUE, callback.agent_id)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_get(client, supervisor, make_callback, name):
    login(client, supervisor)
    assert client.get(url_of(name, make_callback())).status_code == 405


def test_another_dealers_callback_is_not_found_on_every_url(client, other_supervisor, make_callback):
    callback = make_callback()
    login(client, other_supervisor)
    for name in ("detail", "attempt", "cancel", "assign"):
        data = {"result": NO_ANSWER, "reason": "重复", "agent": other_supervisor.pk}
        response = (
            client.post(url_of(name, callback), data) if name in POST_ONLY else client.get(url_of(name, callback))
        )
        assert response.status_code == 404, name
    body = client.get(reverse("callbacks:worklist")).content.decode()
    assert callback.customer.name not in body
    month = f"{callback.due_at:%Y-%m}"
    for params in ({"month": month}, {"month": month, "dealer": callback.dealer_id}):
        body = client.get(reverse("callbacks:month"), params).content.decode()
        assert callback.customer.name not in body
    assert CallbackAttempt.objects.count() == 0
    assert Callback.objects.get(pk=callback.pk).status == Status.DUE


# --- The worklist -----------------------------------------------------------------------------------------------------


def row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-callback="(\d+)"', response.content.decode())]


def test_worklist_order_due_today_then_overdue_then_due_time_then_slot_fit(
    agent_client, make_callback, agent, second_agent, frozen
):
    tonight = local(2025, 3, 10, 18, 0)
    overdue = make_callback(due_at=local(2025, 3, 9, 18, 0))
    tried_this_morning = make_callback(due_at=tonight, attempts=[(local(2025, 3, 10, 8, 30), NO_ANSWER)])
    untried = make_callback(due_at=tonight)
    tried_yesterday_afternoon = make_callback(
        status=Status.IN_PROGRESS, due_at=tonight, attempts=[(local(2025, 3, 9, 14, 0), NO_ANSWER)]
    )
    scheduled_today = make_callback(status=Status.SCHEDULED, due_at=tonight)
    earlier_today = make_callback(status=Status.SCHEDULED, due_at=local(2025, 3, 10, 12, 0))
    make_callback(status=Status.SCHEDULED, due_at=local(2025, 3, 11, 18, 0))  # not today
    make_callback(status=Status.COMPLETED, due_at=tonight)  # finished
    make_callback(agent=second_agent, due_at=tonight)  # someone else's
    response = agent_client.get(reverse("callbacks:worklist"))
    assert response.status_code == 200
    assert row_ids(response) == [
        earlier_today.pk,
        untried.pk,
        tried_yesterday_afternoon.pk,
        scheduled_today.pk,
        tried_this_morning.pk,
        overdue.pk,  # a call due today never waits behind one overdue from earlier days
    ]
    tabs = {value: count for value, _label, count in response.context["tabs"]}
    # Overdue now: past its due time; left in this slot: neither tried in the morning nor held back.
    assert tabs == {"": 6, "today": 5, "overdue": 1, "late": 1, "slot": 5}
    assert row_ids(agent_client.get(reverse("callbacks:worklist"), {"tab": "overdue"})) == [overdue.pk]
    assert row_ids(agent_client.get(reverse("callbacks:worklist"), {"tab": "late"})) == [overdue.pk]
    assert tried_this_morning.pk not in row_ids(agent_client.get(reverse("callbacks:worklist"), {"tab": "slot"}))
    assert overdue.pk not in row_ids(agent_client.get(reverse("callbacks:worklist"), {"tab": "today"}))


def test_worklist_filters_by_kind_and_searches_by_customer(agent_client, make_callback, frozen):
    care = make_callback(kind=Kind.AFTER_SERVICE)
    sale = make_callback(kind=Kind.AFTER_SALE)
    assert row_ids(agent_client.get(reverse("callbacks:worklist"), {"kind": Kind.AFTER_SERVICE})) == [care.pk]
    found = agent_client.get(reverse("callbacks:worklist"), {"q": sale.customer.name})
    assert row_ids(found) == [sale.pk]
    assert row_ids(agent_client.get(reverse("callbacks:worklist"), {"q": sale.customer.mobile})) == [sale.pk]
    for odd in ({"kind": "nonsense"}, {"tab": "nonsense"}, {"q": "\x00"}, {"q": "zz"}):
        assert agent_client.get(reverse("callbacks:worklist"), odd).status_code == 200


def test_worklist_row_shows_attempts_slots_and_next_attempt(agent_client, make_callback, frozen):
    callback = make_callback(
        status=Status.IN_PROGRESS,
        attempts=[(local(2025, 3, 9, 19, 0), NO_ANSWER), (local(2025, 3, 10, 8, 30), AttemptResult.BUSY)],
        next_attempt_at=local(2025, 3, 10, 12, 0),
    )
    response = agent_client.get(reverse("callbacks:worklist"))
    row = response.content.decode().split(f'id="callback-{callback.pk}"')[1].split("</tr>")[0]
    assert '<span class="attempt-count fw-semibold">2</span>' in row
    assert 'class="slot-pill tried current" data-slot="morning"' in row
    assert 'class="slot-pill" data-slot="afternoon"' in row
    assert 'class="slot-pill tried" data-slot="evening"' in row
    assert "12:00" in row and "next-attempt" in row
    assert reverse("customer_detail", args=[callback.customer_id]) in row
    assert reverse("callbacks:detail", args=[callback.pk]) in row


def test_supervisor_sees_everyone_and_filters_by_agent(client, supervisor, make_callback, agent, second_agent, frozen):
    mine = make_callback(agent=agent)
    theirs = make_callback(agent=second_agent)
    login(client, supervisor)
    assert set(row_ids(client.get(reverse("callbacks:worklist")))) == {mine.pk, theirs.pk}
    filtered = client.get(reverse("callbacks:worklist"), {"agent": second_agent.pk})
    assert row_ids(filtered) == [theirs.pk]


def test_supervisor_cannot_filter_by_another_dealers_agent(client, supervisor, other_agent, make_callback, frozen):
    mine = make_callback()
    make_callback(
        dealer=other_agent.dealers.get(), customer=CustomerFactory(dealer=other_agent.dealers.get()), agent=other_agent
    )
    login(client, supervisor)
    response = client.get(reverse("callbacks:worklist"), {"agent": other_agent.pk})
    assert response.status_code == 200
    assert row_ids(response) == [mine.pk]


def test_worklist_query_count(client, supervisor, agent, make_callback, django_assert_max_num_queries, frozen):
    for index in range(32):
        make_callback(
            status=Status.IN_PROGRESS,
            due_at=NOW + timedelta(hours=index % 5 - 2),
            attempts=[(local(2025, 3, 9, 13, 0), NO_ANSWER), (local(2025, 3, 9, 19, 0), AttemptResult.BUSY)],
        )
    for user in (agent, supervisor):
        login(client, user)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("callbacks:worklist"))
        assert len(row_ids(response)) == 25 and response.context["total"] == 32


def test_a_long_worklist_comes_in_pages_with_its_true_totals(client, supervisor, make_callback, frozen):
    from callbacks.views import WORKLIST_PAGE_SIZE

    for index in range(WORKLIST_PAGE_SIZE + 5):
        make_callback(status=Status.DUE, due_at=NOW + timedelta(minutes=index - 3), with_vehicle=False)
    login(client, supervisor)
    first = client.get(reverse("callbacks:worklist"))
    second = client.get(reverse("callbacks:worklist"), {"page": 2})
    assert (first.context["total"], first.context["overdue_count"]) == (WORKLIST_PAGE_SIZE + 5, 3)
    assert len(row_ids(first)) == WORKLIST_PAGE_SIZE and len(row_ids(second)) == 5
    assert not set(row_ids(first)) & set(row_ids(second))
    assert row_ids(first)[:3] == [row.pk for row in first.context["rows"] if row.is_overdue]


# --- The work screen ----------------------------------------------------------------------------------------------------


def test_work_screen_shows_the_script_of_its_kind(agent_client, make_callback, frozen):
    callback = make_callback(kind=Kind.AFTER_SERVICE)
    response = agent_client.get(reverse("callbacks:detail", args=[callback.pk]))
    body = response.content.decode()
    questions = questions_for(dealer=callback.dealer, kind=Kind.AFTER_SERVICE)
    assert questions
    for question in questions:
        assert question.text in body
        name = f"q_{question.pk}"
        radios = len(re.findall(rf'type="radio" class="btn-check" name="{name}"', body))
        expected = {Question.AnswerType.SCORE: 5, Question.AnswerType.YES_NO: 2, Question.AnswerType.TEXT: 0}
        assert radios == expected[question.answer_type]
    for result in AttemptResult.values:
        assert f'value="{result}"' in body
    assert len(re.findall(r'name="satisfaction"', body)) == 5


def test_work_screen_asks_the_script_in_the_readers_language(agent_client, make_callback, frozen):
    callback = make_callback(kind=Kind.AFTER_SERVICE)
    questions = questions_for(dealer=callback.dealer, kind=Kind.AFTER_SERVICE)
    assert all(question.text_en for question in questions)
    english = agent_client.get(reverse("callbacks:detail", args=[callback.pk]), HTTP_ACCEPT_LANGUAGE="en")
    english_body = english.content.decode()
    for question in questions:
        assert question.text_en in english_body and question.text not in english_body
    agent_client.cookies.pop("django_language", None)
    chinese = agent_client.get(reverse("callbacks:detail", args=[callback.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert all(question.text in chinese.content.decode() for question in questions)


def test_work_screen_uses_the_dealers_own_questions(agent_client, make_callback, dealer, frozen):
    own = Question.objects.create(
        dealer=dealer, kind=Kind.AFTER_SALE, text="您对新车的油耗满意吗？", answer_type="score"
    )
    body = agent_client.get(reverse("callbacks:detail", args=[make_callback().pk])).content.decode()
    assert own.text in body
    assert "您对销售顾问的接待和讲解满意吗？" not in body


def test_work_screen_query_count(client, supervisor, make_callback, django_assert_max_num_queries, frozen):
    callback = make_callback(
        status=Status.IN_PROGRESS,
        attempts=[(local(2025, 3, 9, 13, 0), NO_ANSWER), (local(2025, 3, 9, 19, 0), NO_ANSWER)],
    )
    login(client, supervisor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("callbacks:detail", args=[callback.pk])).status_code == 200


def full_answers(callback, score="5") -> dict:
    values = {"score": score, "yes_no": "yes", "text": "服务很好"}
    return {f"q_{q.pk}": values[q.answer_type] for q in questions_for(dealer=callback.dealer, kind=callback.kind)}


def test_reached_in_one_submit_stores_answers_by_question(agent_client, make_callback, agent, frozen):
    callback = make_callback()
    data = {"result": "reached", "satisfaction": "5", "remarks": "很满意", "note": "", **full_answers(callback)}
    response = agent_client.post(reverse("callbacks:attempt", args=[callback.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("callbacks:worklist")
    callback.refresh_from_db()
    assert callback.status == Status.COMPLETED
    assert callback.satisfaction == 5
    assert callback.remarks == "很满意"
    questions = questions_for(dealer=callback.dealer, kind=callback.kind)
    expected = {"score": 5, "yes_no": "yes", "text": "服务很好"}
    assert callback.answers == {str(q.pk): expected[q.answer_type] for q in questions}
    attempt = CallbackAttempt.objects.get(callback=callback)
    assert (attempt.result, attempt.agent, attempt.slot) == ("reached", agent, "morning")


def test_dissatisfied_shows_the_complaint_at_once(agent_client, make_callback, frozen):
    callback = make_callback(kind=Kind.AFTER_SALE)
    data = {
        "result": "reached",
        "satisfaction": "2",
        "remarks": "交车时没有讲解",
        "complaint_category": "service_attitude",
        **full_answers(callback, "2"),
    }
    response = agent_client.post(
        reverse("callbacks:attempt", args=[callback.pk]), data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    complaint = Complaint.objects.get()
    assert complaint.category == "service_attitude"
    assert response.redirect_chain[-1][0] == reverse("callbacks:detail", args=[callback.pk])
    body = response.content.decode()
    assert 'id="raised-complaint"' in body
    assert reverse("complaints:detail", args=[complaint.pk]) in body
    assert complaint.number in body
    message = next(iter(response.context["messages"]))
    assert f'<a href="{reverse("complaints:detail", args=[complaint.pk])}">{complaint.number}</a>' in str(message)
    assert "opened and sent to" in str(message)


def test_a_dissatisfied_after_complaint_call_names_the_manager_it_went_back_to(
    agent_client, make_callback, agent, supervisor, frozen
):
    from tests.complaints.factories import open_complaint, walk

    customer = CustomerFactory(dealer=agent.dealers.get())
    complaint = walk(open_complaint(customer=customer, acting_user=supervisor), to="resolved", user=supervisor)
    callback = Callback.objects.get(complaint=complaint)
    data = {"result": "reached", "satisfaction": "1", "remarks": "还是有异响", **full_answers(callback, "1")}
    response = agent_client.post(
        reverse("callbacks:attempt", args=[callback.pk]), data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    complaint.refresh_from_db()
    assert complaint.status == "reopened"
    message = str(next(iter(response.context["messages"])))
    assert f'<a href="{reverse("complaints:detail", args=[complaint.pk])}">{complaint.number}</a>' in message
    assert f"reopened and sent to {supervisor}" in message
    assert message in response.content.decode()


def test_an_unreachable_customer_is_told_to_the_agent_as_an_sms_queued_not_yet_sent(
    agent_client, make_callback, frozen
):
    """The SMS leaves after the commit, through a worker and the gateway: the page says it is queued, and the
    customer's page says whether it was delivered."""
    from cac.models import SmsMessage

    callback = make_callback()
    response = agent_client.post(
        reverse("callbacks:attempt", args=[callback.pk]),
        {"result": "wrong_number"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert SmsMessage.objects.get().status == SmsMessage.Status.QUEUED
    message = str(next(iter(response.context["messages"])))
    assert message == f"{callback.customer.name} is unreachable: an SMS follow-up is queued to be sent."
    assert message in response.content.decode()
    detail = agent_client.get(reverse("callbacks:detail", args=[callback.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = detail.content.decode()
    assert "an SMS follow-up was queued to be sent (whether it was delivered is on the customer" in body


def test_dissatisfied_without_a_category_is_a_field_error(agent_client, make_callback, frozen):
    callback = make_callback(kind=Kind.AFTER_SERVICE)
    data = {"result": "reached", "satisfaction": "2", **full_answers(callback, "2")}
    response = agent_client.post(reverse("callbacks:attempt", args=[callback.pk]), data)
    assert response.status_code == 200
    assert "complaint_category" in response.context["attempt_form"].errors
    assert not Complaint.objects.exists()
    assert not callback.attempts.exists()


def test_the_category_is_asked_only_where_a_complaint_can_follow(agent_client, make_callback, frozen):
    for kind, asked in ((Kind.AFTER_SALE, True), (Kind.AFTER_SERVICE, True), (Kind.MAINTENANCE, False)):
        callback = make_callback(kind=kind)
        body = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
        assert ('name="complaint_category"' in body) is asked, kind


def test_after_complaint_call_links_its_complaint(agent_client, make_callback, agent, frozen):
    from tests.complaints.factories import ComplaintFactory

    complaint = ComplaintFactory(customer=CustomerFactory(dealer=agent.dealers.get()))
    callback = make_callback(kind=Kind.AFTER_COMPLAINT, complaint=complaint, customer=complaint.customer)
    body = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert reverse("complaints:detail", args=[complaint.pk]) in body


def test_no_answer_then_the_same_slot_is_refused_with_the_time(agent_client, make_callback, frozen):
    callback = make_callback()
    url = reverse("callbacks:attempt", args=[callback.pk])
    response = agent_client.post(url, {"result": NO_ANSWER, "note": "无人接听"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("callbacks:worklist")
    assert "12:00" in response.content.decode()
    frozen.move_to(local(2025, 3, 10, 11, 0))
    response = agent_client.post(url, {"result": AttemptResult.BUSY})
    assert response.status_code == 200
    errors = response.context["attempt_form"].non_field_errors()
    assert errors and "12:00" in errors[0]
    assert CallbackAttempt.objects.count() == 1
    assert CallLog.objects.count() == 1
    assert 'id="blocked-until"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "result"),
        ({"result": "hung_up"}, "result"),
        ({"result": "reached"}, "satisfaction"),
        ({"result": "reached", "satisfaction": "9"}, "satisfaction"),
        ({"result": "reached", "satisfaction": "abc"}, "satisfaction"),
        ({"result": "no_answer", "note": "x" * 501}, "note"),
        ({"result": "reached", "satisfaction": "4", "remarks": "x" * 3001}, "remarks"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(agent_client, make_callback, frozen, data, field):
    callback = make_callback()
    response = agent_client.post(reverse("callbacks:attempt", args=[callback.pk]), data)
    assert response.status_code == 200
    assert field in response.context["attempt_form"].errors
    assert CallbackAttempt.objects.count() == 0
    assert CallLog.objects.count() == 0
    assert Callback.objects.get(pk=callback.pk).status == Status.DUE


def test_unanswered_required_questions_are_field_errors(agent_client, make_callback, frozen):
    callback = make_callback()
    questions = questions_for(dealer=callback.dealer, kind=callback.kind)
    bad_score = {f"q_{q.pk}": "7" for q in questions if q.answer_type == "score"}
    response = agent_client.post(
        reverse("callbacks:attempt", args=[callback.pk]), {"result": "reached", "satisfaction": "5", **bad_score}
    )
    errors = response.context["attempt_form"].errors
    for question in questions:
        assert (f"q_{question.pk}" in errors) is question.required
    assert CallbackAttempt.objects.count() == 0


def test_outside_every_slot_is_a_form_error(agent_client, make_callback, frozen):
    frozen.move_to(local(2025, 3, 10, 22, 30))
    callback = make_callback()
    response = agent_client.post(reverse("callbacks:attempt", args=[callback.pk]), {"result": NO_ANSWER})
    assert response.status_code == 200
    assert response.context["attempt_form"].non_field_errors()
    assert CallbackAttempt.objects.count() == 0


def test_a_finished_callback_offers_no_form_and_refuses_a_post(agent_client, make_callback, frozen):
    callback = make_callback(status=Status.COMPLETED, satisfaction=5)
    body = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert 'id="attempt-form"' not in body
    assert 'id="outcome"' in body
    response = agent_client.post(reverse("callbacks:attempt", args=[callback.pk]), {"result": NO_ANSWER})
    assert response.status_code == 200
    assert response.context["attempt_form"] is None
    assert CallbackAttempt.objects.count() == 0


def test_the_advisor_of_the_repair_gets_no_form(agent_client, make_callback, agent, second_agent, frozen):
    callback = make_callback(kind=Kind.AFTER_SERVICE, agent=second_agent, excluded_agent=agent)
    body = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert 'id="excluded-notice"' in body
    assert 'id="attempt-form"' not in body


# --- Supervisors: cancel and reassign ------------------------------------------------------------------------------------


def test_supervisor_cancels_with_a_reason(client, supervisor, make_callback):
    callback = make_callback()
    login(client, supervisor)
    url = reverse("callbacks:cancel", args=[callback.pk])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 200
    assert "reason" in response.context["cancel_form"].errors
    assert Callback.objects.get(pk=callback.pk).status == Status.DUE
    response = client.post(url, {"reason": "客户已把车卖掉"})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.status, callback.cancel_reason) == (Status.CANCELLED, "客户已把车卖掉")


def test_supervisor_reassigns(client, supervisor, make_callback, second_agent, other_agent):
    callback = make_callback()
    login(client, supervisor)
    url = reverse("callbacks:assign", args=[callback.pk])
    response = client.post(url, {"agent": other_agent.pk})
    assert response.status_code == 200
    assert "agent" in response.context["assign_form"].errors
    assert client.post(url, {"agent": second_agent.pk}).status_code == 302
    assert Callback.objects.get(pk=callback.pk).agent == second_agent


def test_reassigning_to_the_repairs_advisor_is_a_form_error(client, supervisor, make_callback, agent, second_agent):
    callback = make_callback(kind=Kind.AFTER_SERVICE, excluded_agent=second_agent)
    login(client, supervisor)
    response = client.post(reverse("callbacks:assign", args=[callback.pk]), {"agent": second_agent.pk})
    assert response.status_code == 200
    assert response.context["assign_form"].errors
    assert Callback.objects.get(pk=callback.pk).agent == agent


def test_the_detail_offers_only_what_the_user_may_do(client, agent, supervisor, make_callback):
    callback = make_callback()
    body = login(client, agent).get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert 'id="cancel-form"' not in body and 'id="assign-form"' not in body
    body = login(client, supervisor).get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert 'id="cancel-form"' in body and 'id="assign-form"' in body


# --- Statistics -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def month(make_callback, agent, second_agent, other_agent):
    """March 2025: agent 王芳 completes 3 (2 on time), 1 unreachable; 赵丽 completes 1 late, 1 open; 1 cancelled."""
    due = local(2025, 3, 12, 18, 0)
    early, late = local(2025, 3, 11, 10, 0), local(2025, 3, 13, 10, 0)
    make_callback(status=Status.COMPLETED, due_at=due, completed_at=early, satisfaction=5)
    make_callback(status=Status.COMPLETED, due_at=due, completed_at=early, satisfaction=4, kind=Kind.AFTER_SERVICE)
    make_callback(status=Status.COMPLETED, due_at=due, completed_at=late, satisfaction=3)
    make_callback(status=Status.UNREACHABLE, due_at=due, completed_at=early)
    make_callback(status=Status.COMPLETED, due_at=due, completed_at=late, satisfaction=2, agent=second_agent)
    make_callback(status=Status.DUE, due_at=due, agent=second_agent, kind=Kind.AFTER_SERVICE)
    make_callback(status=Status.CANCELLED, due_at=due)
    make_callback(status=Status.COMPLETED, due_at=local(2025, 4, 2, 18, 0), completed_at=early, satisfaction=1)
    other = other_agent.dealers.get()
    make_callback(
        status=Status.COMPLETED,
        due_at=due,
        completed_at=early,
        satisfaction=1,
        agent=other_agent,
        dealer=other,
        customer=CustomerFactory(dealer=other),
    )


def test_stats_by_agent_and_kind(supervisor, agent, second_agent, month):
    stats = callback_stats(user=supervisor, date_from=local(2025, 3, 1).date(), date_to=local(2025, 3, 31).date())
    total = stats.total
    assert (total.total, total.completed, total.on_time, total.unreachable, total.pending) == (6, 4, 2, 1, 1)
    assert total.completion_rate == pytest.approx(4 / 6)
    assert total.on_time_rate == pytest.approx(2 / 6)
    assert total.unreachable_rate == pytest.approx(1 / 6)
    assert total.satisfaction == pytest.approx((5 + 4 + 3 + 2) / 4)
    by_agent = {row.key: row for row in stats.by_agent}
    assert (by_agent[agent.pk].total, by_agent[agent.pk].completed, by_agent[agent.pk].on_time) == (4, 3, 2)
    assert by_agent[agent.pk].satisfaction == pytest.approx(4)
    assert by_agent[agent.pk].label == "王芳"
    assert (by_agent[second_agent.pk].total, by_agent[second_agent.pk].completed) == (2, 1)
    by_kind = {row.key: row for row in stats.by_kind}
    assert (by_kind[Kind.AFTER_SALE].total, by_kind[Kind.AFTER_SERVICE].total) == (4, 2)
    assert by_kind[Kind.AFTER_SERVICE].completion_rate == pytest.approx(0.5)


def test_stats_page(client, supervisor, month, django_assert_max_num_queries):
    login(client, supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("callbacks:stats"), {"date_from": "2025-03-01", "date_to": "2025-03-31"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="stats-by-agent"' in body and 'id="stats-by-kind"' in body
    assert "66.7%" in body  # completion rate
    assert "3.5" in body  # average satisfaction


def test_stats_default_to_this_month(client, supervisor, make_callback):
    with time_machine.travel(NOW, tick=False):
        make_callback(status=Status.COMPLETED, due_at=local(2025, 3, 20, 18, 0), completed_at=NOW, satisfaction=5)
        login(client, supervisor)
        response = client.get(reverse("callbacks:stats"))
    assert response.status_code == 200
    assert response.context["date_from"] == local(2025, 3, 1).date()
    assert response.context["date_to"] == local(2025, 3, 31).date()
    assert response.context["stats"].total.total == 1


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-03-31", "date_to": "2025-03-01"},
        {"date_from": "tomorrow", "date_to": "2025-03-01"},
        {"date_from": "2020-01-01", "date_to": "2025-03-01"},
        {"date_from": "2025-03-01"},
    ],
)
def test_stats_bad_dates_are_field_errors(client, supervisor, params):
    login(client, supervisor)
    response = client.get(reverse("callbacks:stats"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["stats"] is None


# --- The customer 360 and the navigation ------------------------------------------------------------------------------------


def test_the_360_shows_pending_and_recent_follow_ups(agent_client, make_callback, frozen):
    customer = CustomerFactory(dealer=make_callback().dealer, name="周晓梅")
    pending = make_callback(customer=customer)
    done = make_callback(customer=customer, status=Status.COMPLETED, completed_at=NOW, satisfaction=4)
    body = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="follow-ups"' in body
    assert f'id="follow-up-{pending.pk}"' in body
    assert f'id="follow-up-{done.pk}"' in body
    assert reverse("callbacks:detail", args=[pending.pk]) in body


def test_the_360_query_count_does_not_grow_with_follow_ups(agent_client, make_callback, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory(dealer=make_callback().dealer)
    url = reverse("customer_detail", args=[customer.pk])
    agent_client.get(url)
    with CaptureQueriesContext(connection) as empty:
        agent_client.get(url)
    for status in (Status.DUE, Status.IN_PROGRESS, Status.COMPLETED, Status.UNREACHABLE, Status.DECLINED):
        make_callback(customer=customer, status=status, attempts=[(local(2025, 3, 9, 9, 0), NO_ANSWER)])
    with CaptureQueriesContext(connection) as full:
        agent_client.get(url)
    assert len(full) == len(empty)


@pytest.mark.parametrize(
    ("role", "worklist", "stats"),
    [("agent", True, False), ("supervisor", True, True), ("executive", False, False)],
)
def test_navigation_by_permission(client, request, role, worklist, stats):
    login(client, request.getfixturevalue(role))
    body = client.get(reverse("customer_list")).content.decode()
    assert ('id="nav-callbacks"' in body) is worklist
    assert ('id="nav-callback-stats"' in body) is stats


def test_admin_shows_callbacks_with_attempts_and_edits_questions(client, make_callback, dealer):
    from cac.models import User

    admin_user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    callback = make_callback(status=Status.IN_PROGRESS, attempts=[(local(2025, 3, 9, 9, 0), NO_ANSWER)])
    client.force_login(admin_user)
    verify_two_factor(client, admin_user)
    assert client.get(reverse("admin:callbacks_callback_changelist")).status_code == 200
    page = client.get(reverse("admin:callbacks_callback_change", args=[callback.pk]))
    assert page.status_code == 200
    assert "No answer" in page.content.decode() or "无人接听" in page.content.decode()
    assert client.get(reverse("admin:callbacks_callback_history", args=[callback.pk])).status_code == 200
    assert client.get(reverse("admin:callbacks_question_changelist"), {"kind": "after_sale"}).status_code == 200
    response = client.post(
        reverse("admin:callbacks_question_add"),
        {
            "dealer": dealer.pk,
            "kind": "after_sale",
            "position": 0,
            "text": "您对新车满意吗？",
            "answer_type": "score",
            "required": "on",
        },
    )
    assert response.status_code == 302
    assert Question.objects.filter(dealer=dealer, kind="after_sale").count() == 1


def test_a_customers_follow_ups_stand_together_each_with_its_own_call(agent_client, make_callback, frozen):
    first = make_callback(kind=Kind.AFTER_SALE)
    between = make_callback()
    second = make_callback(kind=Kind.AFTER_SERVICE, customer=first.customer)
    response = agent_client.get(reverse("callbacks:worklist"))
    assert row_ids(response) == [first.pk, second.pk, between.pk]
    html = response.content.decode()
    assert f'id="customer-group-{first.customer_id}"' in html
    assert f'id="customer-group-{between.customer_id}"' not in html
    for callback in (first, second):
        assert reverse("callbacks:detail", args=[callback.pk]) in html
