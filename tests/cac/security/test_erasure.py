"""Erasure on request (PIPL art. 47): `customer_erase` and the administrator's page."""

import dataclasses
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from cac import roles
from cac.desk import selectors
from cac.models import CallLog, Customer, Notification, SmsMessage, Vehicle
from cac.security.erasure import ERASED_NAME, customer_erase
from callbacks.models import Callback
from complaints.models import Attachment, Complaint
from prospects.models import Prospect
from reports.selectors import complaint_figures
from tests.cac.factories import CallLogFactory, CustomerFactory
from tests.conftest import verify_two_factor
from tests.prospects.factories import ProspectFactory
from tests.reports.fixtures import build_month

pytestmark = pytest.mark.django_db

MOBILE, OTHER = "13912345678", "02038881234"
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x00" * 64


@pytest.fixture
def admin(make_user, dealer):
    return make_user(roles.ADMIN, dealer, username="dealer-admin", is_staff=True)


@pytest.fixture
def march(dealer, other_dealer, make_user):
    handler = make_user(roles.AGENT, dealer, username="handler", first_name="芳", last_name="王")
    return build_month(dealer=dealer, other_dealer=other_dealer, handler=handler)


@pytest.fixture
def person(march, agent, media_root):
    """March's first complainant, with everything the CAC may hold about a person."""
    customer = march["c1"].customer
    Customer.objects.filter(pk=customer.pk).update(
        mobile=MOBILE, other_phones=OTHER, address="天河路1号", notes="喜欢上午来电", birthday=date(1980, 5, 1)
    )
    customer.refresh_from_db()
    customer._change_reason = "updated: address"
    customer.save()  # a history row with the personal data
    Vehicle.objects.filter(customer=customer).update(plate="粤A12345")
    for vehicle in Vehicle.objects.filter(customer=customer):
        vehicle.save()  # history rows with the plate
    call = CallLogFactory(customer=customer, handled_by=agent, phone=MOBILE, summary="客户说刹车异响", outcome="约修")
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    before = CallLogFactory(customer=None, dealer=customer.dealer, phone=OTHER, summary="首次来电，未登记")
    SmsMessage.objects.create(
        dealer=customer.dealer, customer=customer, phone=MOBILE, text="张伟您好", purpose="follow_up", status="sent"
    )
    Notification.objects.create(
        recipient=agent,
        dealer=customer.dealer,
        kind="callback_overdue",
        title=f"Follow-up call to {customer} is a day overdue",
        key="erasure:1",
    )
    attachment = Attachment(
        complaint=march["c1"],
        kind=Attachment.Kind.RECORDING,
        original_name="客户录音.mp3",
        content_type="audio/mpeg",
        size=len(AUDIO),
        uploaded_by=agent,
    )
    attachment.file.save("evidence.mp3", ContentFile(AUDIO), save=True)
    Complaint.objects.filter(pk=march["c1"].pk).update(description="张伟投诉刹车", demand="要求赔偿")
    march["c1"].refresh_from_db()
    march["c1"].save()  # a history row with the customer's words
    Callback.objects.filter(customer=customer).update(remarks="张伟很满意")
    prospect = ProspectFactory(dealer=customer.dealer, owner=agent, phone=MOBILE, name="张伟", notes="想换车")
    return {"customer": customer, "call": call, "before": before, "attachment": attachment, "prospect": prospect}


def _figures(dealer):
    return {month: complaint_figures(dealer_ids=[dealer.pk], month=date(2026, month, 1)) for month in (2, 3)}


def _without_the_person(figures, *, name: str, plates: set[str]):
    """The figures with the person's name and plates as erasure leaves them: every count, category and duration
    is compared as it is."""

    def erased(row: dict) -> dict:
        row = dict(row)
        for key in ("customer__name", "vehicle__customer__name"):
            if row.get(key) == name:
                row[key] = ERASED_NAME
        if row.get("vehicle__plate") in plates:
            row["vehicle__plate"] = ""
        return row

    return {
        month: dataclasses.replace(
            value,
            key_vehicles=[erased(r) for r in value.key_vehicles],
            major_complaints=[erased(r) for r in value.major_complaints],
        )
        for month, value in figures.items()
    }


def test_the_person_is_erased_everywhere_and_the_figures_stay(
    admin, dealer, march, person, django_capture_on_commit_callbacks
):
    customer = person["customer"]
    figures_before = _figures(dealer)
    assert any(r["customer__name"] == "张伟" for r in figures_before[3].major_complaints)  # the test has teeth
    recording, evidence = person["call"].recording, person["attachment"].file
    storage = recording.storage
    assert storage.exists(recording.name) and storage.exists(evidence.name)

    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer_id=customer.pk, acting_user=admin, reason="客户12月2日来电要求删除")

    customer.refresh_from_db()
    assert (customer.name, customer.mobile, customer.other_phones, customer.address, customer.notes) == (
        ERASED_NAME,
        "",
        "",
        "",
        "",
    )
    assert customer.birthday is None and not customer.consents_to_calls and customer.erased_at is not None
    assert set(Vehicle.objects.filter(customer=customer).values_list("plate", flat=True)) == {""}
    for call in (person["call"], person["before"]):
        call.refresh_from_db()
        assert (call.phone, call.summary, call.outcome, call.recording.name) == ("", "", "", "")
    assert not storage.exists(recording.name) and not storage.exists(evidence.name)
    assert not Attachment.objects.filter(complaint__customer=customer).exists()
    assert SmsMessage.objects.get().phone == "" and SmsMessage.objects.get().text == ""
    assert "张伟" not in Notification.objects.get().title and MOBILE[:3] not in Notification.objects.get().title
    complaint = Complaint.objects.get(pk=march["c1"].pk)
    assert (complaint.description, complaint.demand) == ("", "")
    assert (complaint.category, complaint.status, complaint.root_cause) == (
        march["c1"].category,
        march["c1"].status,
        "技师漏检",
    )
    assert set(Callback.objects.filter(customer=customer).values_list("remarks", flat=True)) == {""}
    prospect = Prospect.objects.get(pk=person["prospect"].pk)
    assert (prospect.name, prospect.phone, prospect.notes) == (ERASED_NAME, "", "")

    # The history keeps who changed what and when, not the erased values; the erasure is in it with who and why.
    history = Customer.history.filter(id=customer.pk)
    assert history.count() >= 3
    assert not history.exclude(name=ERASED_NAME).exists()
    assert not history.exclude(mobile="").exists() and not history.exclude(address="").exists()
    last = history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason) == (admin, "erased: 客户12月2日来电要求删除")
    assert not Vehicle.history.filter(customer_id=customer.pk).exclude(plate="").exists()
    assert not CallLog.history.filter(id=person["call"].pk).exclude(summary="").exists()
    assert not CallLog.history.filter(id=person["call"].pk).exclude(recording="").exists()
    assert not Complaint.history.filter(id=march["c1"].pk).exclude(description="").exists()
    assert not Prospect.history.filter(id=prospect.pk).exclude(phone="").exists()

    # Past months' figures: the same counts, categories and durations, the person no longer named.
    assert _figures(dealer) == _without_the_person(figures_before, name="张伟", plates={"粤A12345"})


def test_an_erased_customer_is_found_neither_by_number_nor_by_name(admin, agent, agent_client, person):
    customer = person["customer"]
    customer_erase(customer_id=customer.pk, acting_user=admin, reason="本人要求")
    for query in (MOBILE, "139 1234 5678", MOBILE[:7], OTHER, "张伟"):
        assert selectors.customer_lookup(user=agent, query=query) == [], query
        html = agent_client.get(reverse("customer_lookup"), {"q": query}).content.decode()
        assert f"/customers/{customer.pk}/" not in html, query
        listed = agent_client.get(reverse("customer_list"), {"q": query})
        assert customer not in list(listed.context["page"]), query
    # Enter on the number now opens the new-caller form: the number is nobody's.
    response = agent_client.get(reverse("customer_find"), {"q": MOBILE})
    assert response.status_code == 302 and response.url.startswith(reverse("call_new"))
    # The 360 says so.
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="customer-erased"' in html and "张伟" not in html


def test_two_erased_customers_of_a_dealer_do_not_collide(admin, dealer):
    first, second = CustomerFactory(dealer=dealer), CustomerFactory(dealer=dealer)
    for customer in (first, second):
        customer_erase(customer_id=customer.pk, acting_user=admin, reason="本人要求")
    assert Customer.objects.filter(mobile="").count() == 2


def test_erasure_needs_a_reason_the_permission_and_the_dealer(admin, agent, make_user, other_dealer, person):
    customer = person["customer"]
    with pytest.raises(ValidationError) as error:
        customer_erase(customer_id=customer.pk, acting_user=admin, reason="  ")
    assert "reason" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        customer_erase(customer_id=customer.pk, acting_user=agent, reason="本人要求")
    with pytest.raises(Customer.DoesNotExist):
        customer_erase(
            customer_id=customer.pk,
            acting_user=make_user(roles.ADMIN, other_dealer, is_staff=True),
            reason="本人要求",
        )
    customer.refresh_from_db()
    assert customer.name == "张伟" and customer.mobile == MOBILE and customer.erased_at is None


def test_erasing_twice_changes_nothing_more(admin, person):
    customer = person["customer"]
    customer_erase(customer_id=customer.pk, acting_user=admin, reason="本人要求")
    rows = Customer.history.filter(id=customer.pk).count()
    customer_erase(customer_id=customer.pk, acting_user=admin, reason="再次")
    assert Customer.history.filter(id=customer.pk).count() == rows


def test_the_administrator_erases_on_the_customers_page_with_a_reason(client, admin, person):
    customer = person["customer"]
    client.force_login(admin)
    url = reverse("customer_erase", args=[customer.pk])
    assert 'id="erase-customer"' in client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    refused = client.post(url, {"reason": "", "confirm": "on"})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    unconfirmed = client.post(url, {"reason": "本人要求"})
    assert unconfirmed.status_code == 200 and unconfirmed.context["form"].errors["confirm"]
    customer.refresh_from_db()
    assert customer.erased_at is None
    response = client.post(url, {"reason": "本人要求", "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("customer_detail", args=[customer.pk])
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert 'id="already-erased"' in client.get(url).content.decode()


def test_the_admin_action_leads_to_the_erasure_page(client, admin, person):
    customer = person["customer"]
    client.force_login(admin)
    verify_two_factor(client, admin)
    changelist = reverse("admin:cac_customer_changelist")
    response = client.post(changelist, {"action": "erase_personal_data", "_selected_action": [customer.pk]})
    assert response.status_code == 302 and response.url == reverse("customer_erase", args=[customer.pk])
