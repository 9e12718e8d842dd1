"""Corrective and preventive actions (seed 003 §7-3): planned on a month's analysis, closed with their outcome,
listed in that month's report and reviewed in the next one."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from reports.models import ActionStatus, CorrectiveAction
from reports.pdf import report_context
from reports.selectors import complaint_figures
from reports.services import corrective_action_close, corrective_action_create
from reports.snapshot import report_snapshot
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user, dealer):
    return make_user("service_manager", dealer, username="manager", first_name="强", last_name="刘")


@pytest.fixture
def complaint(dealer):
    return ComplaintFactory(customer=CustomerFactory(dealer=dealer), number="TS-202611-0042")


def _plan(manager, dealer, complaint=None, **fields):
    values = {
        "dealer_id": dealer.pk,
        "month": date(2026, 11, 1),
        "action": "对服务顾问进行结算单解释培训",
        "owner_id": manager.pk,
        "due_on": date(2026, 12, 20),
        "complaint_numbers": [complaint.number] if complaint else [],
        "acting_user": manager,
    }
    values.update(fields)
    return corrective_action_create(**values)


def test_a_manager_plans_an_action_for_complaints_with_who_and_why_in_the_history(manager, dealer, complaint):
    action = _plan(manager, dealer, complaint, complaint_numbers=[" ts-202611-0042 ", "TS-202611-0042"])
    assert action.status == ActionStatus.OPEN and action.month == date(2026, 11, 1)
    assert list(action.complaints.values_list("number", flat=True)) == ["TS-202611-0042"]
    records = list(action.history.all())  # the row, then its complaints
    assert records and {(r.history_user, r.history_change_reason) for r in records} == {(manager, "planned")}
    assert list(records[0].complaints.values_list("complaint__number", flat=True)) == ["TS-202611-0042"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": "   "}, "action"),
        ({"due_on": date(2026, 10, 31)}, "due_on"),
        ({"complaint_numbers": ["TS-209999-9999"]}, "complaints"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(manager, dealer, fields, field):
    with pytest.raises(ValidationError) as exc:
        _plan(manager, dealer, **fields)
    assert field in exc.value.error_dict
    assert not CorrectiveAction.objects.exists()


def test_the_owner_and_the_complaints_must_be_of_the_dealer(manager, dealer, other_dealer, make_user):
    stranger = make_user("service_manager", other_dealer, username="stranger")
    foreign = ComplaintFactory(customer=CustomerFactory(dealer=other_dealer), number="TS-202611-0077")
    with pytest.raises(ValidationError) as exc:
        _plan(manager, dealer, owner_id=stranger.pk, complaint_numbers=[foreign.number])
    assert set(exc.value.error_dict) == {"owner", "complaints"}
    with pytest.raises(PermissionDenied):
        _plan(manager, other_dealer, owner_id=stranger.pk)  # a dealer not the manager's
    assert not CorrectiveAction.objects.exists()


def test_a_due_date_more_than_a_year_ahead_is_refused(manager, dealer):
    with pytest.raises(ValidationError) as exc:
        _plan(manager, dealer, due_on=timezone.localdate() + timedelta(days=400))
    assert "due_on" in exc.value.error_dict


def test_closing_needs_an_outcome_and_happens_once(manager, dealer):
    action = _plan(manager, dealer)
    with pytest.raises(ValidationError):
        corrective_action_close(action_id=action.pk, done=True, outcome=" ", acting_user=manager)
    done = corrective_action_close(action_id=action.pk, done=True, outcome="12 名顾问已培训", acting_user=manager)
    assert done.status == ActionStatus.DONE and done.closed_at is not None
    assert done.history.latest().history_change_reason == "12 名顾问已培训"
    with pytest.raises(ValidationError) as exc:
        corrective_action_close(action_id=action.pk, done=False, outcome="取消", acting_user=manager)
    assert "outcome" in exc.value.error_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.outcome == "12 名顾问已培训"


def test_dropping_an_action_says_why(manager, dealer):
    action = _plan(manager, dealer)
    dropped = corrective_action_close(action_id=action.pk, done=False, outcome="已由厂家统一处理", acting_user=manager)
    assert dropped.status == ActionStatus.DROPPED


def test_the_months_report_lists_its_actions_and_the_next_reviews_them(manager, dealer, complaint):
    action = _plan(manager, dealer, complaint, due_on=date(2026, 11, 20))
    november = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 11, 1))
    assert [row["id"] for row in november.actions] == [action.pk] and november.actions_reviewed == []
    corrective_action_close(action_id=action.pk, done=True, outcome="已培训", acting_user=manager)
    snapshot = report_snapshot(dealer_ids=[dealer.pk], month=date(2026, 12, 1))
    with translation.override("en"):
        tables = {table.key: table for table in report_context(snapshot)["tables"]}
    assert tables["actions"].rows == []
    [row] = tables["actions_reviewed"].rows
    assert row == ["对服务顾问进行结算单解释培训", "刘强", "2026-11-20", "TS-202611-0042", "Done", "已培训"]
    assert tables["actions_reviewed"].title == "Review of last month's actions (2026-11)"


def test_an_open_action_past_its_due_date_is_reviewed_as_overdue(manager, dealer):
    _plan(manager, dealer, due_on=date(2026, 11, 20))
    snapshot = report_snapshot(dealer_ids=[dealer.pk], month=date(2026, 12, 1))
    with translation.override("zh-hans"):
        [row] = {table.key: table for table in report_context(snapshot)["tables"]}["actions_reviewed"].rows
    expected = "未完成，已逾期" if timezone.localdate() > date(2026, 11, 20) else "未完成"
    assert row[4] == expected


def test_a_snapshot_from_before_the_actions_still_reads(manager, dealer):
    snapshot = report_snapshot(dealer_ids=[dealer.pk], month=date(2026, 11, 1))
    del snapshot["figures"]["actions"], snapshot["figures"]["actions_reviewed"]
    tables = {table.key: table for table in report_context(snapshot)["tables"]}
    assert tables["actions"].rows == [] and tables["actions_reviewed"].rows == []


# --- The page ------------------------------------------------------------------------------------------------------


def test_a_manager_plans_and_closes_on_the_page(client, manager, dealer, complaint):
    client.force_login(manager)
    url = reverse("reports:actions") + "?month=2026-11"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        "dealer": str(dealer.pk),
        "action": "前台增加结算说明",
        "owner": str(manager.pk),
        "due_on": "2026-12-15",
        "complaints": "TS-202611-0042，",
        "once_token": form["once_token"].value(),
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-11")
    assert client.post(url, data).status_code == 302  # the same form twice: one action
    action = CorrectiveAction.objects.get()
    assert action.month == date(2026, 11, 1) and action.created_by == manager
    page = client.get(url)
    assert "前台增加结算说明" in page.content.decode() and "TS-202611-0042" in page.content.decode()
    response = client.post(reverse("reports:action_close", args=[action.pk]), {"outcome": "已上线", "close": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_bad_input_on_the_page_is_a_field_error_in_the_users_language(client, manager, dealer):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    url = reverse("reports:actions") + "?month=2026-11"
    data = {"dealer": str(dealer.pk), "action": "x", "owner": str(manager.pk), "due_on": "2026-12-15"}
    data["complaints"] = "TS-209999-0001"
    data["once_token"] = client.get(url).context["form"]["once_token"].value()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "TS-209999-0001" in str(response.context["form"].errors["complaints"])
    for bad in ({"due_on": "2026-02-31"}, {"owner": "99999"}, {"dealer": "99999"}, {"action": ""}):
        response = client.post(url, {**data, "complaints": "", **bad})
        assert response.status_code == 200 and response.context["form"].errors
    assert not CorrectiveAction.objects.exists()


def test_an_agent_may_not_and_another_dealers_action_is_not_found(
    client, agent, manager, dealer, other_dealer, make_user
):
    client.force_login(agent)
    assert client.get(reverse("reports:actions")).status_code == 403
    action = _plan(manager, dealer)
    client.force_login(make_user("service_manager", other_dealer, username="elsewhere"))
    response = client.post(reverse("reports:action_close", args=[action.pk]), {"outcome": "x", "close": "done"})
    assert response.status_code == 404
    assert f'id="action-{action.pk}"' not in client.get(reverse("reports:actions") + "?month=2026-11").content.decode()


def test_a_bad_month_falls_back_to_the_last_closed_month(client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:actions") + "?month=2026-13")
    assert response.status_code == 200
    today = timezone.localdate()
    last = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    assert response.context["month"] == last


def test_the_page_reads_the_same_queries_however_many_actions(
    client, manager, dealer, complaint, django_assert_max_num_queries
):
    client.force_login(manager)
    url = reverse("reports:actions") + "?month=2026-11"
    _plan(manager, dealer, complaint)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        _plan(manager, dealer, complaint)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
