"""One submit, one record: every create form carries a one-time token; the same token posted twice — one after
the other, or at the same moment on PostgreSQL — writes one record and answers with it."""

import re
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cac import roles
from cac.events.import_jobs import dms_import_run
from cac.events.import_models import DmsImport
from cac.models import CallLog, Customer, Sale, ServiceVisit, SubmitToken, Vehicle
from cac.security.once import submit_tokens_sweep, token_for, token_nonce
from callbacks.models import Callback, CallbackAttempt, Kind
from callbacks.models import Status as CallbackStatus
from complaints.models import Attachment, Category, Complaint, Escalation
from complaints.services import complaint_create
from prospects.models import Campaign, ContactAttempt
from reports.models import MonthlyReport
from tests.cac.factories import CustomerFactory, VehicleFactory, make_vin
from tests.prospects.factories import ProspectFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _call(**extra) -> dict:
    return {"direction": "in", "purpose": "inquiry", "started_at": _now_local(), "summary": "咨询首保", **extra}


class World:
    """The rows every create form needs, of one dealer."""

    def __init__(self, *, dealer, user):
        self.dealer = dealer
        self.user = user
        self.customer = CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")
        self.vehicle = VehicleFactory(customer=self.customer, vin=make_vin(1), model="凯美瑞")
        self.complaint = complaint_create(
            customer=self.customer,
            acting_user=user,
            channel="dealer_hotline",
            category=Category.SERVICE_ATTITUDE,
            severity="normal",
            description="接待态度差",
            received_at=timezone.now(),
        )
        self.callback = Callback.objects.create(
            dealer=dealer,
            customer=self.customer,
            vehicle=self.vehicle,
            kind=Kind.AFTER_SALE,
            status=CallbackStatus.DUE,
            due_at=timezone.now() + timedelta(hours=2),
            agent=user,
        )
        self.prospect = ProspectFactory(dealer=dealer, owner=user)


# name -> (page with the form, where it posts, the data (a function: an upload is read once), token field, count)
def _cases(w: World) -> dict:
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    today = timezone.localdate()
    return {
        "customer": (
            reverse("customer_create"),
            reverse("customer_create"),
            lambda: {"dealer": w.dealer.pk, "name": "新客户", "mobile": "13700137000", "preferred_channel": "phone"},
            "once_token",
            Customer.objects.count,
        ),
        "vehicle": (
            reverse("vehicle_create", args=[w.customer.pk]),
            reverse("vehicle_create", args=[w.customer.pk]),
            lambda: {"vin": make_vin(77), "model": "雷凌"},
            "once_token",
            Vehicle.objects.count,
        ),
        "call on the 360": (
            reverse("customer_detail", args=[w.customer.pk]),
            reverse("customer_call_create", args=[w.customer.pk]),
            _call,
            "once_token",
            CallLog.objects.count,
        ),
        "new caller": (
            reverse("call_new") + "?phone=13700137001",
            reverse("call_new"),
            lambda: _call(
                dealer=w.dealer.pk,
                phone="13700137001",
                create_customer="on",
                customer_name="新来电",
                preferred_channel="phone",
            ),
            "once_token",
            lambda: (CallLog.objects.count(), Customer.objects.count()),
        ),
        "delivery": (
            reverse("events:sale_create", args=[w.customer.pk]),
            reverse("events:sale_create", args=[w.customer.pk]),
            lambda: {"vehicle": w.vehicle.pk, "delivered_on": yesterday},
            "once_token",
            Sale.objects.count,
        ),
        "repair order": (
            reverse("events:service_visit_create", args=[w.customer.pk]),
            reverse("events:service_visit_create", args=[w.customer.pk]),
            lambda: {"order_number": "RO-1", "vehicle": w.vehicle.pk, "date_in": yesterday, "date_out": yesterday},
            "once_token",
            ServiceVisit.objects.count,
        ),
        "complaint": (
            reverse("complaints:create") + f"?customer={w.customer.pk}",
            reverse("complaints:create") + f"?customer={w.customer.pk}",
            lambda: {
                "channel": "dealer_hotline",
                "category": "service_attitude",
                "severity": "normal",
                "received_at": _now_local(),
                "description": "等待时间过长",
            },
            "once_token",
            Complaint.objects.count,
        ),
        "escalation": (
            reverse("complaints:detail", args=[w.complaint.pk]),
            reverse("complaints:escalate", args=[w.complaint.pk]),
            lambda: {"escalate-reason": "customer_demand", "escalate-note": "客户要求"},
            "escalate-once_token",
            Escalation.objects.count,
        ),
        "evidence": (
            reverse("complaints:detail", args=[w.complaint.pk]),
            reverse("complaints:attachment_add", args=[w.complaint.pk]),
            lambda: {
                "attachment-kind": "photo",
                "attachment-file": SimpleUploadedFile("scratch.png", PNG, content_type="image/png"),
            },
            "attachment-once_token",
            Attachment.objects.count,
        ),
        "follow-up attempt": (
            reverse("callbacks:detail", args=[w.callback.pk]),
            reverse("callbacks:attempt", args=[w.callback.pk]),
            lambda: {"result": "no_answer", "note": "无人接听"},
            "once_token",
            CallbackAttempt.objects.count,
        ),
        "call list": (
            reverse("callbacks:call_list_new") + f"?name=空调检测&kind=campaign&due_on={today + timedelta(days=5)}",
            reverse("callbacks:call_list_new"),
            lambda: {"name": "空调检测", "kind": "campaign", "due_on": (today + timedelta(days=5)).isoformat()},
            "once_token",
            Callback.objects.count,
        ),
        "prospect": (
            reverse("prospects:create"),
            reverse("prospects:create"),
            lambda: {"dealer": w.dealer.pk, "name": "周全", "phone": "13600136001", "source": "walk_in", "grade": "H"},
            "once_token",
            lambda: w.dealer.prospects.count(),
        ),
        "prospect attempt": (
            reverse("prospects:detail", args=[w.prospect.pk]),
            reverse("prospects:attempt", args=[w.prospect.pk]),
            lambda: {"result": "no_answer", "interested": "1"},
            "once_token",
            ContactAttempt.objects.count,
        ),
        "campaign": (
            reverse("prospects:campaign_create"),
            reverse("prospects:campaign_create"),
            lambda: {"name": "春季", "starts_on": today, "ends_on": today + timedelta(days=7)},
            "once_token",
            Campaign.objects.count,
        ),
        "report": (
            reverse("reports:list"),
            reverse("reports:list"),
            lambda: {"month": "2026-02", "dealer": str(w.dealer.pk)},
            "once_token",
            MonthlyReport.objects.count,
        ),
    }


CASES = [
    "customer",
    "vehicle",
    "call on the 360",
    "new caller",
    "delivery",
    "repair order",
    "complaint",
    "escalation",
    "evidence",
    "follow-up attempt",
    "call list",
    "prospect",
    "prospect attempt",
    "campaign",
    "report",
]


def _errors(response) -> list:
    keys = ("form", "attempt_form", "escalate_form", "attachment_form")
    return [(key, response.context[key].errors) for key in keys if response.context and response.context.get(key)]


def token_in(response, field: str) -> str:
    match = re.search(rf'name="{re.escape(field)}" value="([^"]+)"', response.content.decode())
    assert match, f"no {field} in the form"
    return match.group(1)


@pytest.fixture(autouse=True)
def office_hours():
    """A Tuesday morning in Guangzhou: follow-up and prospect calls may be made."""
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)):
        yield


@pytest.fixture
def director(make_user, dealer):
    return make_user(roles.DIRECTOR, dealer, username="director", first_name="总", last_name="李")


@pytest.fixture
def world(dealer, director, media_root):
    return World(dealer=dealer, user=director)


def test_every_create_path_is_in_the_matrix(world):
    assert sorted(_cases(world)) == sorted(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_the_same_form_posted_twice_writes_one_record(client, director, world, case):
    page, url, data, field, count = _cases(world)[case]
    client.force_login(director)
    token = token_in(client.get(page), field)
    before = count()
    first = client.post(url, {**data(), field: token})
    assert first.status_code == 302, _errors(first)
    after_first = count()
    assert after_first != before
    second = client.post(url, {**data(), field: token})
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert count() == after_first
    assert SubmitToken.objects.count() == 1


@pytest.mark.django_db
def test_a_resent_call_on_the_360_adds_no_second_row_to_the_history(client, director, world):
    client.force_login(director)
    token = token_in(client.get(reverse("customer_detail", args=[world.customer.pk])), "once_token")
    url = reverse("customer_call_create", args=[world.customer.pk])
    first = client.post(url, {**_call(), "once_token": token}, HTTP_HX_REQUEST="true")
    second = client.post(url, {**_call(), "once_token": token}, HTTP_HX_REQUEST="true")
    assert CallLog.objects.count() == 1
    assert 'id="call-history"' in first.content.decode()
    assert 'id="call-history"' not in second.content.decode()
    # Both answers carry a fresh form with a new token for the next call.
    assert token_in(first, "once_token") != token != token_in(second, "once_token")


@pytest.mark.django_db
def test_the_forms_carry_a_fresh_token_each_time(client, director, world):
    client.force_login(director)
    first = token_in(client.get(reverse("customer_create")), "once_token")
    second = token_in(client.get(reverse("customer_create")), "once_token")
    assert first != second


@pytest.mark.django_db
def test_a_refused_post_keeps_the_token_for_the_corrected_form(client, director, world):
    client.force_login(director)
    url = reverse("customer_create")
    token = token_in(client.get(url), "once_token")
    refused = client.post(url, {"dealer": world.dealer.pk, "name": "", "mobile": "123", "once_token": token})
    assert refused.status_code == 200 and Customer.objects.count() == 1
    assert not SubmitToken.objects.exists()
    data = {"dealer": world.dealer.pk, "name": "新客户", "mobile": "13700137000", "preferred_channel": "phone"}
    assert client.post(url, {**data, "once_token": token_in(refused, "once_token")}).status_code == 302
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_a_token_of_another_user_is_refused(client, director, make_user, dealer, world):
    colleague = make_user(roles.DIRECTOR, dealer, username="colleague")
    client.force_login(colleague)
    token = token_in(client.get(reverse("customer_create")), "once_token")
    client.force_login(director)
    data = {"dealer": dealer.pk, "name": "新客户", "mobile": "13700137000", "preferred_channel": "phone"}
    response = client.post(reverse("customer_create"), {**data, "once_token": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This form has expired or was opened by someone else" in response.content.decode()
    assert Customer.objects.count() == 1 and not SubmitToken.objects.exists()
    # The form comes back with a token of the user's own, which is accepted.
    fresh = token_in(response, "once_token")
    assert fresh != token
    assert client.post(reverse("customer_create"), {**data, "once_token": fresh}).status_code == 302
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_a_token_is_bound_to_its_form_user_and_age(settings, director, make_user, dealer):
    from cac.desk.forms import CustomerForm, VehicleForm

    other = make_user(roles.AGENT, dealer, username="other")
    token = token_for(user=director, form_class=CustomerForm)
    assert token_nonce(token=token, user=director, form_class=CustomerForm)
    assert token_nonce(token=token, user=other, form_class=CustomerForm) is None
    assert token_nonce(token=token, user=director, form_class=VehicleForm) is None
    assert token_nonce(token=token + "x", user=director, form_class=CustomerForm) is None
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SUBMIT_TOKEN_MAX_AGE + 1)):
        assert token_nonce(token=token, user=director, form_class=CustomerForm) is None


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_nothing_written(client, settings, director, world):
    client.force_login(director)
    token = token_in(client.get(reverse("customer_create")), "once_token")
    data = {"dealer": world.dealer.pk, "name": "新客户", "mobile": "13700137000", "preferred_channel": "phone"}
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SUBMIT_TOKEN_MAX_AGE + 60)):
        # The session has ended long since (CAC_SESSION_MAX_HOURS): the user signs in again on the old page.
        client.force_login(director)
        response = client.post(reverse("customer_create"), {**data, "once_token": token})
    assert response.status_code == 200 and Customer.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_forgets_expired_tokens_only_and_twice_is_harmless(settings, director):
    now = timezone.now()
    max_age = timedelta(seconds=settings.SUBMIT_TOKEN_MAX_AGE)
    SubmitToken.objects.create(token="old", user=director, created_at=now - max_age - timedelta(minutes=1))
    SubmitToken.objects.create(token="young", user=director, created_at=now - max_age + timedelta(minutes=1))
    assert submit_tokens_sweep(now=now) == 1
    assert submit_tokens_sweep(now=now) == 0
    assert list(SubmitToken.objects.values_list("token", flat=True)) == ["young"]


@pytest.mark.django_db
def test_the_sweep_runs_hourly_from_beat(settings):
    from cac.tasks import submit_tokens_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["submit-tokens-sweep"]
    assert entry["task"] == submit_tokens_sweep_task.name
    assert submit_tokens_sweep_task.apply().get() == 0


@pytest.mark.django_db
def test_every_create_page_loads_the_script_that_disables_the_button(client, director, world):
    client.force_login(director)
    body = client.get(reverse("customer_create")).content.decode()
    assert re.search(r'<script src="[^"]*js/submit-once[^"]*\.js" defer>', body)


# --- At the same moment, on PostgreSQL ----------------------------------------------------------------------------


def _post_together(users_and_posts) -> list:
    """Each (user, url, data) posted from its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(users_and_posts))
    responses: list = [None] * len(users_and_posts)
    errors: list = []

    def send(index, user, url, data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            responses[index] = client.post(url, data)
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, user, url, data))
        for index, (user, url, data) in enumerate(users_and_posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", ["complaint", "call on the 360", "new caller", "prospect", "escalation"])
def test_the_same_token_posted_at_the_same_moment_writes_one_record(postgres, client, director, world, case):
    page, url, data, field, count = _cases(world)[case]
    client.force_login(director)
    token = token_in(client.get(page), field)
    before = count()
    responses = _post_together([(director, url, {**data(), field: token}) for _n in range(4)])
    assert [response.status_code for response in responses] == [302] * 4
    assert len({response["Location"] for response in responses}) == 1
    after = count()
    assert after != before
    if isinstance(after, tuple):
        assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1]
    else:
        assert after - before == 1
    assert SubmitToken.objects.count() == 1


# --- The DMS import: a file sent twice is imported once -----------------------------------------------------------


def _csv(*rows):
    from tests.callbacks.event_support import DELIVERY_HEADER, csv_bytes

    return csv_bytes(DELIVERY_HEADER, list(rows))


@pytest.mark.django_db
def test_an_import_sent_twice_is_imported_once(client, director, world):
    from tests.callbacks.event_support import delivery_row

    client.force_login(director)
    token = token_in(client.get(reverse("events:import")), "once_token")
    content = _csv(delivery_row(1), delivery_row(2))

    def upload():
        data = {"dealer": world.dealer.pk, "kind": "deliveries", "once_token": token}
        return client.post(reverse("events:import"), {**data, "file": SimpleUploadedFile("d.csv", content, "text/csv")})

    first = upload()
    job = DmsImport.objects.get()
    status_page = reverse("events:import_status", args=[job.pk])
    assert first.status_code == 302 and first["Location"] == status_page
    second = upload()
    assert second.status_code == 302 and second["Location"] == status_page  # the first import, not a second
    assert DmsImport.objects.count() == 1 and SubmitToken.objects.count() == 1
    dms_import_run(import_id=job.pk)
    assert Sale.objects.count() == 2


@pytest.mark.django_db
def test_the_confirmation_of_an_import_sent_twice_is_imported_once(client, director, world):
    from tests.callbacks.event_support import delivery_row

    client.force_login(director)
    content = _csv(delivery_row(1), delivery_row(2, mobile="123"), delivery_row(3))
    preview = client.post(
        reverse("events:import"),
        {
            "dealer": world.dealer.pk,
            "kind": "deliveries",
            "file": SimpleUploadedFile("d.csv", content, "text/csv"),
            "once_token": token_in(client.get(reverse("events:import")), "once_token"),
        },
    )
    assert not Sale.objects.exists() and not SubmitToken.objects.exists()  # refused: the claim rolled back too
    confirm = preview.context["confirm"]
    names = ("dealer", "kind", "filename", "content", "good_rows_only", "once_token")
    data = {name: confirm[name].value() for name in names}
    first = client.post(reverse("events:import_confirm"), data)
    job = DmsImport.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("events:import_status", args=[job.pk])
    second = client.post(reverse("events:import_confirm"), data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    dms_import_run(import_id=job.pk)
    assert DmsImport.objects.count() == 1 and Sale.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_second_claim_waits_for_the_first_transaction_and_gets_its_record(postgres, director, dealer):
    """The unique index decides: the second post blocks on the first's uncommitted claim, then finds its record."""
    from types import SimpleNamespace

    from cac.security.once import submit_once

    form = SimpleNamespace(once_nonce="same-token", once_user=director)
    claimed, release = threading.Event(), threading.Event()
    outcomes: dict = {}
    second_created = []

    def first():
        def create():
            customer = CustomerFactory(dealer=dealer, name="先到", mobile="13700137000")
            claimed.set()
            release.wait(timeout=10)
            return customer

        try:
            outcomes["first"] = submit_once(form, create)
        finally:
            connection.close()

    def second():
        claimed.wait(timeout=10)
        try:
            outcomes["second"] = submit_once(form, lambda: second_created.append(1))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    claimed.wait(timeout=10)
    threads[1].join(timeout=0.5)
    assert threads[1].is_alive(), "the second claim did not wait for the first transaction"
    release.set()
    for thread in threads:
        thread.join(timeout=20)
    assert outcomes["first"].created and not outcomes["second"].created
    assert outcomes["second"].record == outcomes["first"].record
    assert not second_created
    assert Customer.objects.filter(name="先到").count() == 1


@pytest.mark.django_db
def test_a_token_whose_record_was_deleted_since_is_a_form_error_not_a_500(client, director, world):
    client.force_login(director)
    url = reverse("vehicle_create", args=[world.customer.pk])
    token = token_in(client.get(url), "once_token")
    assert client.post(url, {"vin": make_vin(77), "model": "雷凌", "once_token": token}).status_code == 302
    Vehicle.objects.filter(vin=make_vin(77)).delete()
    response = client.post(url, {"vin": make_vin(77), "model": "雷凌", "once_token": token})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Vehicle.objects.filter(vin=make_vin(77)).exists()
