"""What exceeds the dealer's authority goes to the OEM region (seed 000 §五.7): a manager asks for an authorisation
(complaints.services.authority_request_create) and records the region's answer later (authority_request_answer);
shown on the complaint and in its history. The escalation inside the dealer stops at the director."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from cac import roles
from complaints.models import AuthorityRequest, Complaint, Escalation, EscalationLevel, Status
from complaints.services import authority_request_answer, authority_request_create
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import open_complaint, walk

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
        return open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)


def ask(complaint, user, kind="rental_car", request="客户要求代步车5天，超出经销商权限"):
    return authority_request_create(complaint_id=complaint.pk, kind=kind, request=request, acting_user=user)


def test_asking_raises_the_complaint_to_the_region_once_and_is_in_the_history(complaint, manager):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        first = ask(complaint, manager)
        second = ask(complaint, manager, kind="transport_subsidy", request="交通补助200元")
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.OEM_REGION
    assert list(complaint.escalations.values_list("from_level", "to_level", "reason", "escalated_by")) == [
        (EscalationLevel.AGENT, EscalationLevel.OEM_REGION, Escalation.Reason.AUTHORITY, manager.pk)
    ]
    assert [(r.kind, r.requested_by, r.answer) for r in (first, second)] == [
        ("rental_car", manager, ""),
        ("transport_subsidy", manager, ""),
    ]
    steps = list(
        complaint.history.filter(history_step="authority_request")
        .order_by("history_date", "history_id")
        .values_list("history_user", "history_note")
    )
    assert steps == [(manager.pk, "客户要求代步车5天，超出经销商权限"), (manager.pk, "交通补助200元")]


def test_the_answer_is_recorded_with_who_and_when_and_stands(complaint, manager, make_user, dealer):
    asked = ask(complaint, manager)
    director = make_user(roles.DIRECTOR, dealer, username="director")
    answered_at = TUESDAY + timedelta(days=1)
    with time_machine.travel(answered_at, tick=False):
        authority_request_answer(request_id=asked.pk, answer="granted", note="区域经理同意3天", acting_user=director)
    asked.refresh_from_db()
    assert (asked.answer, asked.answer_note, asked.answered_by, asked.answered_at) == (
        "granted",
        "区域经理同意3天",
        director,
        answered_at,
    )
    assert complaint.history.filter(history_step="authority_answer", history_user=director).exists()
    with pytest.raises(ValidationError) as refused:
        authority_request_answer(request_id=asked.pk, answer="refused", note="改口", acting_user=director)
    assert "__all__" in refused.value.message_dict
    asked.refresh_from_db()
    assert asked.answer == "granted"
    # Answered, the same kind may be asked again.
    ask(complaint, manager, request="再延长2天")
    assert complaint.authority_requests.count() == 2


@pytest.mark.parametrize(
    ("kind", "asked", "field"),
    [
        ("bribe", "x", "kind"),
        ("", "x", "kind"),
        ("compensation", "  ", "request"),
        ("compensation", "长" * 2001, "request"),
    ],
)
def test_a_bad_request_is_a_field_error_and_writes_nothing(kind, asked, field, complaint, manager):
    with pytest.raises(ValidationError) as refused:
        ask(complaint, manager, kind=kind, request=asked)
    assert set(refused.value.message_dict) == {field}
    assert not AuthorityRequest.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == EscalationLevel.AGENT


def test_the_same_kind_is_not_asked_twice_while_the_region_has_not_answered(complaint, manager):
    ask(complaint, manager)
    with pytest.raises(ValidationError) as refused:
        ask(complaint, manager, request="重复")
    assert set(refused.value.message_dict) == {"kind"}
    assert AuthorityRequest.objects.count() == 1


@pytest.mark.parametrize(("answer", "note", "field"), [("maybe", "x", "answer"), ("granted", " ", "answer_note")])
def test_a_bad_answer_is_a_field_error(answer, note, field, complaint, manager):
    asked = ask(complaint, manager)
    with pytest.raises(ValidationError) as refused:
        authority_request_answer(request_id=asked.pk, answer=answer, note=note, acting_user=manager)
    assert set(refused.value.message_dict) == {field}
    asked.refresh_from_db()
    assert asked.answer == "" and asked.answered_at is None


@pytest.mark.parametrize("state", [Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
def test_only_an_open_complaint_asks_the_region(state, complaint, manager):
    walk(complaint, to=state, user=manager)
    with pytest.raises(ValidationError):
        ask(complaint, manager)
    assert not AuthorityRequest.objects.exists()


def test_only_managers_of_the_dealer_ask_and_record_answers(complaint, manager, agent, make_user, other_dealer):
    with pytest.raises(PermissionDenied):
        ask(complaint, agent)
    asked = ask(complaint, manager)
    outsider = make_user(roles.DIRECTOR, other_dealer, username="outsider")
    for user in (agent, outsider):
        with pytest.raises(PermissionDenied):
            authority_request_answer(request_id=asked.pk, answer="granted", note="x", acting_user=user)
    with pytest.raises(PermissionDenied):
        ask(complaint, outsider, kind="compensation")
    asked.refresh_from_db()
    assert asked.answer == "" and AuthorityRequest.objects.count() == 1


def test_asking_takes_a_bounded_number_of_queries(complaint, manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        ask(complaint, manager)


# --- On the detail page ----------------------------------------------------------------------------------------


def test_the_detail_shows_the_requests_the_answer_form_and_the_timeline(client, complaint, manager, agent):
    asked = ask(complaint, manager)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    content = page.content.decode()
    assert f'id="authority-{asked.pk}"' in content and "Waiting for the region" in content
    assert page.context["answer_forms"] == {} and page.context["authority_form"] is None  # an agent only reads
    titles = [entry.title for entry in page.context["record"].timeline]
    assert "OEM region asked: Rental car (租车费)" in titles

    client.force_login(manager)
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert f'id="answer-form-{asked.pk}"' in page.content.decode()
    response = client.post(
        reverse("complaints:authority_answer", args=[asked.pk]),
        {f"answer-{asked.pk}-answer": "refused", f"answer-{asked.pk}-answer_note": "区域经理不同意"},
    )
    assert response.status_code == 302
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert "OEM region answered: Refused (Rental car (租车费))" in [e.title for e in page.context["record"].timeline]
    assert page.context["answer_forms"] == {}


def test_the_request_form_refuses_bad_input_without_writing(client, complaint, manager):
    client.force_login(manager)
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    token = page.context["authority_form"]["once_token"].value()
    url = reverse("complaints:authority_request", args=[complaint.pk])
    response = client.post(url, {"authority-kind": "", "authority-request": "", "authority-once_token": token})
    assert response.status_code == 200
    assert {"kind", "request"} <= set(response.context["authority_form"].errors)
    assert not AuthorityRequest.objects.exists()
    response = client.post(
        url, {"authority-kind": "mediation", "authority-request": "消协调解", "authority-once_token": token}
    )
    assert response.status_code == 302
    assert AuthorityRequest.objects.get().kind == "mediation"
    # The same submit again: the first record, nothing more.
    client.post(url, {"authority-kind": "mediation", "authority-request": "消协调解", "authority-once_token": token})
    assert AuthorityRequest.objects.count() == 1
