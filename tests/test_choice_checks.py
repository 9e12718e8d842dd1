"""Services check their inputs: a value outside a field's choices is a ValidationError naming the field, in the
user's language, and nothing is written; the database refuses such a value even from a raw update()."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cac import roles
from cac.desk import services as cac_services
from cac.models import CallLog, Customer
from cac.platform.validation import check_choices
from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from complaints import services as complaint_services
from complaints.models import Attachment, Complaint, Escalation
from prospects import services as prospect_services
from prospects.models import Prospect
from reports import services as report_services
from reports.models import MonthlyReport
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
APPS = ("cac", "complaints", "callbacks", "prospects", "reports")


@pytest.fixture(autouse=True)
def office_hours():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)):
        yield


@pytest.fixture
def director(make_user, dealer):
    return make_user(roles.DIRECTOR, dealer, username="director")


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")


@pytest.fixture
def complaint(customer, director):
    return complaint_services.complaint_create(
        customer=customer, acting_user=director, channel="walk_in", category="service_attitude", description="态度差"
    )


def _counts() -> dict:
    models = [Customer, CallLog, Complaint, Escalation, Attachment, Prospect, MonthlyReport, Callback]
    return {model.__name__: model.objects.count() for model in models}


# (what, field, the call with a bad value)
CALLS = [
    ("customer", "preferred_channel", lambda f: cac_services.customer_create(
        dealer=f["dealer"], acting_user=f["user"], name="新客户", mobile="13700137000", preferred_channel="fax")),
    ("customer update", "preferred_channel", lambda f: cac_services.customer_update(
        customer_id=f["customer"].pk, acting_user=f["user"], preferred_channel="fax")),
    ("call direction", "direction", lambda f: cac_services.call_log(
        dealer=f["dealer"], acting_user=f["user"], phone="13800138000", started_at=timezone.now(), summary="x",
        direction="sideways")),
    ("call purpose", "purpose", lambda f: cac_services.call_log(
        dealer=f["dealer"], acting_user=f["user"], phone="13800138000", started_at=timezone.now(), summary="x",
        purpose="gossip")),
    ("complaint channel", "channel", lambda f: complaint_services.complaint_create(
        customer=f["customer"], acting_user=f["user"], channel="phone", category="other", description="x")),
    ("complaint category", "category", lambda f: complaint_services.complaint_create(
        customer=f["customer"], acting_user=f["user"], channel="walk_in", category="weather", description="x")),
    ("complaint severity", "severity", lambda f: complaint_services.complaint_create(
        customer=f["customer"], acting_user=f["user"], channel="walk_in", category="other", description="x",
        severity="huge")),
    ("escalation reason", "reason", lambda f: complaint_services.complaint_escalate(
        complaint_id=f["complaint"].pk, reason="boredom", note="", acting_user=f["user"])),
    ("evidence kind", "kind", lambda f: complaint_services.attachment_add(
        complaint_id=f["complaint"].pk, kind="video", upload=None, description="", acting_user=f["user"])),
    ("prospect source", "source", lambda f: prospect_services.prospect_create(
        dealer=f["dealer"], acting_user=f["user"], name="周全", phone="13600136001", source="radio")),
    ("prospect grade", "grade", lambda f: prospect_services.prospect_create(
        dealer=f["dealer"], acting_user=f["user"], name="周全", phone="13600136001", source="walk_in", grade="Z")),
    ("report language", "language", lambda f: report_services.monthly_report_request(
        dealer_ids=[f["dealer"].pk], month=date(2026, 2, 1), language="fr", requested_by=f["user"])),
]  # fmt: skip


@pytest.mark.parametrize(("what", "field", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_a_value_outside_the_choices_is_refused_and_nothing_written(
    dealer, director, customer, complaint, what, field, call
):
    objects = {"dealer": dealer, "user": director, "customer": customer, "complaint": complaint}
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call(objects)
    assert field in refused.value.message_dict
    assert refused.value.message_dict[field][0]
    assert _counts() == before
    customer.refresh_from_db()
    assert customer.preferred_channel == "phone"


def test_the_message_names_the_field_in_the_users_language():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_choices(Complaint, channel="phone")
    assert refused.value.message_dict == {"channel": ["“phone” is not a valid choice for channel."]}


def test_blank_is_accepted_where_the_field_may_be_blank_and_values_where_they_are_choices():
    check_choices(Complaint, resolution_type="", channel="walk_in", escalation_level=2)
    check_choices(Prospect, lost_reason="", appointment_kind="")
    with pytest.raises(ValidationError):
        check_choices(Complaint, escalation_level=7)
    with pytest.raises(ValidationError):
        check_choices(Complaint, channel="")


def _refused(queryset, **values) -> bool:
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_a_bad_value_written_by_a_raw_update(dealer, director, customer, complaint):
    vehicle = VehicleFactory(customer=customer)
    callback = Callback.objects.create(
        dealer=dealer,
        customer=customer,
        vehicle=vehicle,
        kind=Kind.AFTER_SALE,
        status=CallbackStatus.DUE,
        due_at=timezone.now() + timedelta(hours=2),
        agent=director,
    )
    prospect = ProspectFactory(dealer=dealer, owner=director)
    report = report_services.monthly_report_request(
        dealer_ids=[dealer.pk], month=date(2026, 2, 1), language="en", requested_by=director
    )
    cases = [
        (Customer.objects.filter(pk=customer.pk), {"preferred_channel": "fax"}),
        (Complaint.objects.filter(pk=complaint.pk), {"channel": "phone"}),
        (Complaint.objects.filter(pk=complaint.pk), {"status": "lost"}),
        (Complaint.objects.filter(pk=complaint.pk), {"resolution_type": "magic"}),
        (Callback.objects.filter(pk=callback.pk), {"status": "forgotten"}),
        (Callback.objects.filter(pk=callback.pk), {"kind": "party"}),
        (Prospect.objects.filter(pk=prospect.pk), {"grade": "Z"}),
        (Prospect.objects.filter(pk=prospect.pk), {"status": "maybe"}),
        (MonthlyReport.objects.filter(pk=report.pk), {"language": "fr"}),
        (MonthlyReport.objects.filter(pk=report.pk), {"status": "lost"}),
    ]
    for queryset, values in cases:
        assert _refused(queryset, **values), f"{queryset.model.__name__} accepted {values}"
    # The choices themselves, and blank where allowed, are accepted.
    assert not _refused(Complaint.objects.filter(pk=complaint.pk), resolution_type="")
    assert not _refused(Complaint.objects.filter(pk=complaint.pk), channel="letter")


def test_every_choice_column_of_the_cac_has_its_check_constraint():
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model.__name__.startswith("Historical"):
            continue
        names = {constraint.name for constraint in model._meta.constraints}
        for field in model._meta.local_concrete_fields:
            if field.choices is not None and f"{model._meta.model_name}_{field.name}_choice" not in names:
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


def test_the_message_is_in_chinese_for_chinese_users():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        check_choices(Complaint, channel="phone")
    assert refused.value.message_dict == {"channel": ["“phone”不是申诉来源的有效选项。"]}
