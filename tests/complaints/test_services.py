"""complaints.services: numbering, routing, the director's notice, escalation, assignment, key-attention vehicles,
evidence limits and dealer scoping."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from cac import roles
from complaints.models import (
    Attachment,
    Category,
    Channel,
    Complaint,
    Department,
    EngineerDispatch,
    Escalation,
    EscalationLevel,
    KeyAttentionVehicle,
    ResolutionType,
    Severity,
    Status,
)
from complaints.services import (
    attachment_add,
    attachment_validate,
    authority_request_create,
    complaint_assign,
    complaint_close_after_follow_up,
    complaint_create,
    complaint_escalate,
    complaint_identify,
    complaint_transition,
    complaint_update_details,
    dispatch_update,
    key_attention_assign,
)
from complaints.tasks import complaint_notify_director
from tests import uploads as made
from tests.cac.factories import CallLogFactory, CustomerFactory, VehicleFactory
from tests.mail_links import assert_links_absolute

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the default language is Simplified Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="张伟")


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", email="service@example.com")


@pytest.fixture
def sales_manager(make_user, dealer):
    return make_user(roles.SALES_MANAGER, dealer, username="sales-manager", email="sales@example.com")


@pytest.fixture
def director(make_user, dealer):
    return make_user(roles.DIRECTOR, dealer, username="director", email="director@example.com")


@pytest.fixture
def outsider(make_user, other_dealer):
    """A director of the other dealer: every permission, none of this dealer's rows."""
    return make_user(roles.DIRECTOR, other_dealer, username="outsider", email="outsider@example.com")


@pytest.fixture
def notify():
    """The director's notice, caught where it is sent: after the transaction commits."""
    with mock.patch.object(complaint_notify_director, "apply_async") as apply_async:
        yield apply_async


@pytest.fixture
def new_complaint(customer, agent, notify):
    def make(**fields) -> Complaint:
        values = {
            "channel": Channel.DEALER_HOTLINE,
            "category": Category.SERVICE_ATTITUDE,
            "description": "接待态度冷淡",
            "demand": "要求道歉",
            "customer": customer,
            "acting_user": agent,
        }
        return complaint_create(**{**values, **fields})

    return make


NEXT_STEP = {
    Status.NEW: ("acknowledge", {}),
    Status.ACKNOWLEDGED: ("investigate", {}),
    Status.INVESTIGATING: (
        "propose_countermeasure",
        {"root_cause": "装配失误", "root_cause_class": "technical", "countermeasure": "返修"},
    ),
    Status.COUNTERMEASURE_PROPOSED: ("start", {}),
    Status.IN_PROGRESS: ("resolve", {"resolution_type": ResolutionType.REWORK, "note": "已返修"}),
}


def walk(complaint: Complaint, *, to: str, user) -> Complaint:
    """Take a complaint through the real steps up to `to` (at most closed, the satisfied way)."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    while complaint.status != to:
        if complaint.status == Status.RESOLVED:
            complaint = complaint_close_after_follow_up(
                complaint_id=complaint.pk, satisfaction=5, remarks="满意", acting_user=user
            )
            continue
        action, data = NEXT_STEP[complaint.status]
        complaint = complaint_transition(complaint_id=complaint.pk, action=action, acting_user=user, **data)
    return complaint


# --- Numbering -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_count_per_dealer_and_restart_each_month(new_complaint, outsider, other_dealer):
    def number(when, **fields):
        return new_complaint(received_at=when, **fields).number

    march = [number(MARCH), number(MARCH + timedelta(days=5)), number(MARCH + timedelta(days=20))]
    april = number(datetime(2026, 4, 2, 9, tzinfo=SHANGHAI))
    late_march = number(MARCH + timedelta(days=1))
    other = number(MARCH, customer=CustomerFactory(dealer=other_dealer), acting_user=outsider)

    assert march == ["TS-202603-0001", "TS-202603-0002", "TS-202603-0003"]
    assert april == "TS-202604-0001"
    assert late_march == "TS-202603-0004"
    assert other == "TS-202603-0001"


@pytest.mark.django_db
def test_the_month_of_the_number_is_the_month_in_shanghai(new_complaint):
    # 31 March 17:00 UTC is already 1 April in Shanghai.
    assert new_complaint(received_at=datetime(2026, 3, 31, 17, 0, tzinfo=UTC)).number == "TS-202604-0001"
    assert new_complaint(received_at=datetime(2026, 3, 31, 15, 59, tzinfo=UTC)).number == "TS-202603-0001"


# --- Routing -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "channel", "department"),
    [
        pytest.param(Category.PURCHASE, Channel.DEALER_HOTLINE, Department.SALES, id="purchase"),
        pytest.param(Category.PURCHASE, Channel.SERVICE_FOLLOW_UP, Department.SALES, id="purchase-any-channel"),
        pytest.param(Category.SERVICE_ATTITUDE, Channel.SALES_FOLLOW_UP, Department.SALES, id="sales-follow-up"),
        pytest.param(Category.OTHER, Channel.SALES_FOLLOW_UP, Department.SALES, id="sales-follow-up-other"),
        pytest.param(Category.PRODUCT_QUALITY, Channel.OEM_HOTLINE, Department.AFTER_SALES, id="product-quality"),
        pytest.param(Category.REPAIR_QUALITY, Channel.REPAIR_REWORK, Department.AFTER_SALES, id="repair-quality"),
        pytest.param(Category.REPAIR_COST, Channel.WALK_IN, Department.AFTER_SALES, id="repair-cost"),
        pytest.param(Category.SERVICE_ATTITUDE, Channel.SERVICE_FOLLOW_UP, Department.AFTER_SALES, id="attitude"),
        pytest.param(Category.PARTS, Channel.EMAIL, Department.AFTER_SALES, id="parts"),
        pytest.param(Category.USER_ISSUE, Channel.DEALER_HOTLINE, Department.AFTER_SALES, id="user-issue"),
        pytest.param(Category.MULTIPLE, Channel.LETTER, Department.AFTER_SALES, id="multiple"),
        pytest.param(Category.OTHER, Channel.MEDIA, Department.AFTER_SALES, id="other"),
    ],
)
def test_routing_by_category_and_channel(
    category, channel, department, new_complaint, service_manager, sales_manager, make_user, other_dealer
):
    make_user(roles.SERVICE_MANAGER, other_dealer, username="their-service-manager")
    make_user(roles.SALES_MANAGER, other_dealer, username="their-sales-manager")

    complaint = new_complaint(category=category, channel=channel)

    assert complaint.department == department
    expected_owner = sales_manager if department == Department.SALES else service_manager
    assert Complaint.objects.get(pk=complaint.pk).owner == expected_owner


@pytest.mark.django_db
def test_without_a_department_manager_the_complaint_waits_unowned(new_complaint, sales_manager):
    complaint = new_complaint(category=Category.REPAIR_COST)
    assert complaint.department == Department.AFTER_SALES
    assert complaint.owner is None


@pytest.mark.django_db
def test_an_inactive_manager_is_not_given_complaints(new_complaint, make_user, dealer):
    make_user(roles.SERVICE_MANAGER, dealer, username="left-the-company", is_active=False)
    current = make_user(roles.SERVICE_MANAGER, dealer, username="current-manager")
    assert new_complaint().owner == current


@pytest.mark.django_db
def test_the_call_it_came_from_is_linked(new_complaint, customer, agent):
    call = CallLogFactory(customer=customer, handled_by=agent)
    complaint = new_complaint(call=call)
    assert list(complaint.calls.all()) == [call]


@pytest.mark.django_db
def test_a_vehicle_or_call_of_someone_else_is_refused(new_complaint, dealer, other_dealer, agent):
    strangers_car = VehicleFactory(customer=CustomerFactory(dealer=dealer))
    other_call = CallLogFactory(customer=CustomerFactory(dealer=other_dealer), handled_by=agent)

    with pytest.raises(ValidationError) as vehicle:
        new_complaint(vehicle=strangers_car)
    with pytest.raises(ValidationError) as call:
        new_complaint(call=other_call)

    assert set(vehicle.value.message_dict) == {"vehicle"}
    assert set(call.value.message_dict) == {"call"}
    assert not Complaint.objects.exists()


# --- Major and emergency: the director at once, the engineer on site ----------------------------------


@pytest.mark.django_db
def test_a_normal_complaint_stays_with_the_department(
    new_complaint, notify, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = new_complaint()
    assert complaint.escalation_level == EscalationLevel.AGENT
    assert not complaint.escalations.exists()
    assert not EngineerDispatch.objects.exists()
    notify.assert_not_called()


@pytest.mark.django_db
def test_a_major_complaint_goes_to_the_director_after_commit(
    new_complaint, notify, agent, director, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.CAC_SITE_URL = "https://cac.example.com"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint = new_complaint(severity=Severity.MAJOR, category=Category.REPAIR_QUALITY, description="修后刹车失灵")
    notify.assert_not_called()  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    notify.assert_called_once_with(kwargs={"complaint_id": complaint.pk})

    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.escalation_level == EscalationLevel.DIRECTOR
    assert list(stored.escalations.values_list("from_level", "to_level", "reason", "escalated_by")) == [
        (EscalationLevel.AGENT, EscalationLevel.DIRECTOR, Escalation.Reason.MAJOR, agent.pk)
    ]
    assert not EngineerDispatch.objects.filter(complaint=complaint).exists()
    assert stored.history.latest("history_date", "history_id").history_change_reason == "escalated: major"

    # The task itself, run as the worker would.
    assert complaint_notify_director(complaint_id=complaint.pk) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["director@example.com"]
    assert complaint.number in mail.subject
    assert "修后刹车失灵" in mail.body
    assert assert_links_absolute(mail) == [f"https://cac.example.com/complaints/{complaint.pk}/"]


@pytest.mark.django_db
def test_an_emergency_also_opens_an_engineer_dispatch(new_complaint, notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = new_complaint(
            severity=Severity.EMERGENCY, category=Category.PRODUCT_QUALITY, description="车辆自燃"
        )

    assert complaint.escalation_level == EscalationLevel.DIRECTOR
    assert complaint.escalations.count() == 1
    assert EngineerDispatch.objects.filter(complaint=complaint).count() == 1
    notify.assert_called_once_with(kwargs={"complaint_id": complaint.pk})


@pytest.mark.django_db
def test_the_director_notice_goes_only_to_active_directors_of_the_dealer(
    new_complaint, director, make_user, dealer, outsider, mailoutbox
):
    make_user(roles.DIRECTOR, dealer, username="retired-director", email="retired@example.com", is_active=False)
    make_user(roles.DIRECTOR, dealer, username="director-without-mail")
    make_user(roles.SERVICE_MANAGER, dealer, username="not-a-director", email="manager@example.com")
    complaint = new_complaint(severity=Severity.MAJOR)

    assert complaint_notify_director(complaint_id=complaint.pk) == 1
    assert [mail.to for mail in mailoutbox] == [["director@example.com"]]


@pytest.mark.django_db
def test_the_director_notice_of_a_vanished_complaint_or_without_directors_sends_nothing(new_complaint, mailoutbox):
    complaint = new_complaint(severity=Severity.MAJOR)
    assert complaint_notify_director(complaint_id=complaint.pk) == 0  # the dealer has no director
    assert complaint_notify_director(complaint_id=complaint.pk + 1000) == 0
    assert mailoutbox == []


# --- Escalation ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_escalation_is_one_level_and_one_row(
    new_complaint, agent, service_manager, notify, django_capture_on_commit_callbacks
):
    complaint = new_complaint()

    with django_capture_on_commit_callbacks(execute=True):
        first = complaint_escalate(
            complaint_id=complaint.pk, reason=Escalation.Reason.AUTHORITY, note=" 需要退换车授权 ", acting_user=agent
        )
    notify.assert_not_called()
    with django_capture_on_commit_callbacks(execute=True):
        second = complaint_escalate(
            complaint_id=complaint.pk, reason=Escalation.Reason.DEADLINE, note="", acting_user=service_manager
        )
    notify.assert_called_once_with(kwargs={"complaint_id": complaint.pk})

    assert [(e.from_level, e.to_level) for e in (first, second)] == [(0, 1), (1, 2)]
    assert list(complaint.escalations.values_list("from_level", "to_level", "reason", "note", "escalated_by")) == [
        (0, 1, Escalation.Reason.AUTHORITY, "需要退换车授权", agent.pk),
        (1, 2, Escalation.Reason.DEADLINE, "", service_manager.pk),
    ]
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.escalation_level == EscalationLevel.DIRECTOR
    reasons = [h.history_change_reason for h in stored.history.order_by("history_date", "history_id")]
    assert reasons[-2:] == ["escalated: authority", "escalated: deadline"]

    # The ladder inside the dealer ends at the director: the OEM region is asked for an authorisation instead.
    with pytest.raises(ValidationError, match="already with the director"):
        complaint_escalate(
            complaint_id=complaint.pk, reason=Escalation.Reason.CUSTOMER_DEMAND, note="要求厂家介入", acting_user=agent
        )
    assert complaint.escalations.count() == 2
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == EscalationLevel.DIRECTOR


@pytest.mark.django_db
def test_a_major_complaint_is_with_the_director_and_escalates_no_further(new_complaint, agent):
    complaint = new_complaint(severity=Severity.MAJOR)
    with pytest.raises(ValidationError, match="already with the director"):
        complaint_escalate(
            complaint_id=complaint.pk, reason=Escalation.Reason.AUTHORITY, note="需要厂家授权补偿", acting_user=agent
        )
    assert complaint.escalations.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
def test_a_complaint_that_is_not_open_cannot_be_escalated(state, new_complaint, agent):
    complaint = new_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(status=state)
    before = Complaint.objects.values().get(pk=complaint.pk)

    with pytest.raises(ValidationError, match="open complaint"):
        complaint_escalate(complaint_id=complaint.pk, reason=Escalation.Reason.AUTHORITY, note="", acting_user=agent)

    assert not complaint.escalations.exists()
    assert Complaint.objects.values().get(pk=complaint.pk) == before


@pytest.mark.django_db
def test_an_escalation_needs_a_known_reason(new_complaint, agent):
    complaint = new_complaint()
    with pytest.raises(ValidationError) as refused:
        complaint_escalate(complaint_id=complaint.pk, reason="bored", note="", acting_user=agent)
    assert set(refused.value.message_dict) == {"reason"}
    assert not complaint.escalations.exists()


@pytest.mark.django_db
def test_an_executive_cannot_escalate(new_complaint, make_user, dealer):
    complaint = new_complaint()
    executive = make_user(roles.EXECUTIVE, dealer)
    with pytest.raises(PermissionDenied):
        complaint_escalate(
            complaint_id=complaint.pk, reason=Escalation.Reason.AUTHORITY, note="", acting_user=executive
        )
    assert not complaint.escalations.exists()


# --- Assignment ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_assigns_complaints_in_bulk(new_complaint, service_manager, agent):
    complaints = [new_complaint() for _ in range(3)]
    assert {c.owner for c in complaints} == {service_manager}

    assert complaint_assign(complaint_ids=[c.pk for c in complaints], owner=agent, acting_user=service_manager) == 3
    assert complaint_assign(complaint_ids=[c.pk for c in complaints], owner=agent, acting_user=service_manager) == 0

    for complaint in complaints:
        stored = Complaint.objects.get(pk=complaint.pk)
        assert stored.owner == agent
        record = stored.history.latest("history_date", "history_id")
        assert (record.history_user, record.history_change_reason) == (service_manager, "assigned to agent")
        assert stored.history.count() == 2  # received, assigned: the second call changed nothing


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.AGENT, roles.EXECUTIVE])
def test_only_managers_assign(role, new_complaint, make_user, dealer, agent):
    complaint = new_complaint()
    with pytest.raises(PermissionDenied):
        complaint_assign(complaint_ids=[complaint.pk], owner=agent, acting_user=make_user(role, dealer))
    assert Complaint.objects.get(pk=complaint.pk).owner is None


@pytest.mark.django_db
def test_the_new_owner_must_work_for_the_dealer(new_complaint, service_manager, make_user, other_dealer):
    complaints = [new_complaint(), new_complaint()]
    stranger = make_user(roles.AGENT, other_dealer, username="stranger")

    with pytest.raises(ValidationError) as refused:
        complaint_assign(complaint_ids=[c.pk for c in complaints], owner=stranger, acting_user=service_manager)

    assert set(refused.value.message_dict) == {"owner"}
    assert all(Complaint.objects.get(pk=c.pk).owner == service_manager for c in complaints)


@pytest.mark.django_db
def test_a_bulk_assignment_with_another_dealers_complaint_changes_nothing(
    new_complaint, service_manager, agent, outsider, other_dealer
):
    mine = new_complaint()
    theirs = new_complaint(customer=CustomerFactory(dealer=other_dealer), acting_user=outsider)

    with pytest.raises(PermissionDenied):
        complaint_assign(complaint_ids=[mine.pk, theirs.pk], owner=agent, acting_user=service_manager)

    assert Complaint.objects.get(pk=mine.pk).owner == service_manager


# --- Key-attention vehicles ----------------------------------------------------------------------


@pytest.fixture
def in_warranty(customer):
    return VehicleFactory(customer=customer, warranty_end=timezone.localdate() + timedelta(days=365))


@pytest.fixture
def out_of_warranty(customer):
    return VehicleFactory(customer=customer, warranty_end=timezone.localdate() - timedelta(days=1))


def active_entries(vehicle):
    return KeyAttentionVehicle.objects.filter(vehicle=vehicle, released_at__isnull=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "channel", "warranty", "listed"),
    [
        pytest.param(Category.PRODUCT_QUALITY, Channel.DEALER_HOTLINE, "in", True, id="in-warranty-quality"),
        pytest.param(Category.PRODUCT_QUALITY, Channel.DEALER_HOTLINE, "out", False, id="out-of-warranty-quality"),
        pytest.param(Category.REPAIR_QUALITY, Channel.WALK_IN, "out", True, id="repair-quality"),
        pytest.param(Category.OTHER, Channel.REPAIR_REWORK, "out", True, id="rework-channel"),
        pytest.param(Category.SERVICE_ATTITUDE, Channel.DEALER_HOTLINE, "in", False, id="attitude"),
        pytest.param(Category.REPAIR_COST, Channel.SERVICE_FOLLOW_UP, "in", False, id="cost"),
    ],
)
def test_which_complaints_put_a_vehicle_on_the_list(
    category, channel, warranty, listed, new_complaint, in_warranty, out_of_warranty
):
    vehicle = in_warranty if warranty == "in" else out_of_warranty
    complaint = new_complaint(vehicle=vehicle, category=category, channel=channel)

    entries = active_entries(vehicle)
    assert entries.exists() is listed
    if listed:
        entry = entries.get()
        assert list(entry.complaints.all()) == [complaint]
        assert entry.dealer == complaint.dealer
        assert complaint.number in entry.reason


@pytest.mark.django_db
def test_a_complaint_without_a_vehicle_lists_nothing(new_complaint):
    new_complaint(category=Category.REPAIR_QUALITY)
    assert not KeyAttentionVehicle.objects.exists()


@pytest.mark.django_db
def test_a_vehicle_is_on_the_list_once_and_leaves_after_satisfied_follow_ups(new_complaint, in_warranty, agent):
    first = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    second = new_complaint(vehicle=in_warranty, category=Category.REPAIR_QUALITY, channel=Channel.REPAIR_REWORK)
    entry = active_entries(in_warranty).get()
    assert set(entry.complaints.all()) == {first, second}

    walk(first, to=Status.CLOSED, user=agent)
    assert active_entries(in_warranty).get() == entry  # the second complaint is still open

    walk(second, to=Status.RESOLVED, user=agent)
    assert active_entries(in_warranty).exists()  # resolved is not yet a satisfied follow-up

    walk(second, to=Status.CLOSED, user=agent)
    entry.refresh_from_db()
    assert entry.released_at is not None
    assert not active_entries(in_warranty).exists()

    third = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    assert list(active_entries(in_warranty).get().complaints.all()) == [third]
    assert KeyAttentionVehicle.objects.filter(vehicle=in_warranty).count() == 2


@pytest.mark.django_db
def test_a_manager_closing_without_a_satisfied_follow_up_keeps_the_vehicle_listed(
    new_complaint, in_warranty, agent, service_manager
):
    by_manager = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    satisfied = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)

    walk(by_manager, to=Status.RESOLVED, user=agent)
    complaint_transition(
        complaint_id=by_manager.pk,
        action="close_by_manager",
        acting_user=service_manager,
        note="客户联系不上",
        close_kind="unreachable",
    )
    assert active_entries(in_warranty).exists()

    walk(satisfied, to=Status.CLOSED, user=agent)
    assert active_entries(in_warranty).exists()


@pytest.mark.django_db
def test_cancelling_the_last_open_duplicate_releases_a_vehicle_whose_follow_up_was_satisfied(
    new_complaint, in_warranty, agent, service_manager
):
    original = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    duplicate = new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    walk(original, to=Status.CLOSED, user=agent)
    assert active_entries(in_warranty).exists()

    complaint_transition(complaint_id=duplicate.pk, action="cancel", acting_user=service_manager, note="重复登记")

    assert not active_entries(in_warranty).exists()


@pytest.mark.django_db
def test_a_vehicle_whose_only_complaint_was_cancelled_leaves_the_list(new_complaint, in_warranty, service_manager):
    withdrawn = new_complaint(vehicle=in_warranty, category=Category.REPAIR_QUALITY)
    complaint_transition(complaint_id=withdrawn.pk, action="cancel", acting_user=service_manager, note="登记错误")
    assert not active_entries(in_warranty).exists()  # no complaint is left to watch it for


@pytest.mark.django_db
def test_a_cancelled_complaint_beside_an_open_one_keeps_the_vehicle_listed(new_complaint, in_warranty, service_manager):
    new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)
    withdrawn = new_complaint(vehicle=in_warranty, category=Category.REPAIR_QUALITY)
    complaint_transition(complaint_id=withdrawn.pk, action="cancel", acting_user=service_manager, note="重复登记")
    assert active_entries(in_warranty).exists()


@pytest.mark.django_db
def test_a_vehicle_given_to_a_complaint_later_goes_on_the_list(new_complaint, in_warranty, agent):
    complaint = new_complaint(category=Category.PRODUCT_QUALITY)
    assert not KeyAttentionVehicle.objects.exists()

    complaint_update_details(complaint_id=complaint.pk, acting_user=agent, vehicle=in_warranty)

    assert list(active_entries(in_warranty).get().complaints.all()) == [complaint]


@pytest.mark.django_db
def test_a_manager_names_the_responsible_person(
    new_complaint, in_warranty, service_manager, agent, make_user, other_dealer
):
    new_complaint(vehicle=in_warranty, category=Category.REPAIR_QUALITY)
    entry = active_entries(in_warranty).get()

    with pytest.raises(PermissionDenied):
        key_attention_assign(entry_id=entry.pk, responsible=agent, acting_user=agent)
    with pytest.raises(ValidationError):
        key_attention_assign(
            entry_id=entry.pk, responsible=make_user(roles.AGENT, other_dealer), acting_user=service_manager
        )
    key_attention_assign(entry_id=entry.pk, responsible=agent, acting_user=service_manager)

    entry.refresh_from_db()
    assert entry.responsible == agent
    assert entry.history.latest().history_user == service_manager


# --- Evidence ------------------------------------------------------------------------------------


# Real content for each name's extension (the content is checked), a program for any other name.
CONTENT = {
    ".jpg": made.jpeg,
    ".heic": made.heic,
    ".pdf": made.pdf,
    ".png": made.png,
    ".mp3": made.mp3,
    ".amr": made.amr,
}


def upload(name: str, size: int) -> SimpleUploadedFile:
    content = CONTENT.get(Path(name).suffix.lower(), lambda: made.FAKES["exe"])()
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    file.size = size  # the limits read the size; no need to hold megabytes in memory
    return file


@pytest.mark.parametrize(
    ("kind", "name", "size"),
    [
        pytest.param(Attachment.Kind.PHOTO, "车损.JPG", 1024, id="photo-jpg-upper-case"),
        pytest.param(Attachment.Kind.PHOTO, "dash.heic", 10 * MB, id="photo-at-the-limit"),
        pytest.param(Attachment.Kind.DOCUMENT, "投诉信.pdf", 2 * MB, id="letter-pdf"),
        pytest.param(Attachment.Kind.DOCUMENT, "fax.png", 1024, id="fax-scan"),
        pytest.param(Attachment.Kind.RECORDING, "通话.mp3", 20 * MB, id="recording-at-the-limit"),
        pytest.param(Attachment.Kind.RECORDING, "call.amr", 1024, id="recording-amr"),
    ],
)
def test_accepted_evidence(kind, name, size):
    attachment_validate(kind=kind, upload=upload(name, size))


@pytest.mark.parametrize(
    ("kind", "name", "size", "field"),
    [
        pytest.param(Attachment.Kind.PHOTO, "car.pdf", 1024, "file", id="photo-not-an-image"),
        pytest.param(Attachment.Kind.PHOTO, "car.jpg", 10 * MB + 1, "file", id="photo-too-large"),
        pytest.param(Attachment.Kind.DOCUMENT, "virus.exe", 1024, "file", id="document-executable"),
        pytest.param(Attachment.Kind.DOCUMENT, "letter", 1024, "file", id="document-without-extension"),
        pytest.param(Attachment.Kind.DOCUMENT, "letter.pdf", 10 * MB + 1, "file", id="document-too-large"),
        pytest.param(Attachment.Kind.RECORDING, "call.jpg", 1024, "file", id="recording-not-audio"),
        pytest.param(Attachment.Kind.RECORDING, "call.mp3", 20 * MB + 1, "file", id="recording-too-large"),
        pytest.param("video", "clip.mp4", 1024, "kind", id="unknown-kind"),
    ],
)
def test_refused_evidence(kind, name, size, field):
    with pytest.raises(ValidationError) as refused:
        attachment_validate(kind=kind, upload=upload(name, size))
    assert set(refused.value.message_dict) == {field}


@pytest.mark.django_db
def test_evidence_is_stored_with_who_added_it(new_complaint, agent, media_root):
    complaint = new_complaint()
    attachment = attachment_add(
        complaint_id=complaint.pk,
        kind=Attachment.Kind.PHOTO,
        upload=SimpleUploadedFile("dir/车损.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
        description=" 左前门划痕 ",
        acting_user=agent,
    )
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("车损.jpg", "image/jpeg", 3)
    assert (attachment.description, attachment.uploaded_by) == ("左前门划痕", agent)
    assert attachment.file.name.startswith(f"complaints/{complaint.dealer_id}/{complaint.pk}/")


@pytest.mark.django_db
def test_refused_evidence_is_not_stored(new_complaint, agent, media_root):
    complaint = new_complaint()
    with pytest.raises(ValidationError):
        attachment_add(
            complaint_id=complaint.pk,
            kind=Attachment.Kind.PHOTO,
            upload=upload("run.exe", 10),
            description="",
            acting_user=agent,
        )
    assert not Attachment.objects.exists()


# --- Another dealer's user is refused everywhere ----------------------------------------------------


@pytest.fixture
def theirs(new_complaint, in_warranty):
    """A complaint of the first dealer, with a key-attention entry."""
    return new_complaint(vehicle=in_warranty, category=Category.PRODUCT_QUALITY)


REFUSALS = {
    "create": lambda c, outsider: complaint_create(
        customer=c.customer,
        acting_user=outsider,
        channel=Channel.DEALER_HOTLINE,
        category=Category.OTHER,
        description="x",
    ),
    "transition": lambda c, outsider: complaint_transition(
        complaint_id=c.pk, action="acknowledge", acting_user=outsider
    ),
    "escalate": lambda c, outsider: complaint_escalate(
        complaint_id=c.pk, reason=Escalation.Reason.AUTHORITY, note="", acting_user=outsider
    ),
    "assign": lambda c, outsider: complaint_assign(complaint_ids=[c.pk], owner=outsider, acting_user=outsider),
    "update-details": lambda c, outsider: complaint_update_details(
        complaint_id=c.pk, acting_user=outsider, description="改写"
    ),
    "dispatch": lambda c, outsider: dispatch_update(complaint_id=c.pk, acting_user=outsider, engineer="李工"),
    "identify": lambda c, outsider: complaint_identify(
        complaint_id=c.pk,
        acting_user=outsider,
        reason="越权",
        category=Category.OTHER,
        department=Department.SALES,
        severity=Severity.NORMAL,
        channel=Channel.WALK_IN,
    ),
    "authority-request": lambda c, outsider: authority_request_create(
        complaint_id=c.pk, kind="compensation", request="越权", acting_user=outsider
    ),
    "attachment": lambda c, outsider: attachment_add(
        complaint_id=c.pk, kind=Attachment.Kind.PHOTO, upload=upload("a.jpg", 10), description="", acting_user=outsider
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(REFUSALS))
def test_another_dealers_user_is_refused(service, theirs, outsider, media_root):
    before = Complaint.objects.values().get(pk=theirs.pk)
    counts = (Complaint.objects.count(), Escalation.objects.count(), EngineerDispatch.objects.count())

    with pytest.raises(PermissionDenied, match="do not work for"):
        REFUSALS[service](theirs, outsider)

    assert Complaint.objects.values().get(pk=theirs.pk) == before
    assert (Complaint.objects.count(), Escalation.objects.count(), EngineerDispatch.objects.count()) == counts
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_another_dealers_key_attention_entry_is_not_found(theirs, outsider):
    # Not found rather than forbidden: the view turns it into a 404 like every other row outside the user's dealers.
    entry = KeyAttentionVehicle.objects.get()
    with pytest.raises(KeyAttentionVehicle.DoesNotExist):
        key_attention_assign(entry_id=entry.pk, responsible=outsider, acting_user=outsider)
    entry.refresh_from_db()
    assert entry.responsible is None


@pytest.mark.django_db
def test_the_clock_of_a_complaint_is_the_moment_it_was_received(new_complaint):
    with time_machine.travel(MARCH, tick=False):
        complaint = new_complaint()
    assert complaint.received_at == MARCH
    assert complaint.number == "TS-202603-0001"
