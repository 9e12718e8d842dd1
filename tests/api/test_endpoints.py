"""Each endpoint with each scope, the key's dealers, and bad input."""

import pytest
from django.urls import reverse

from api.models import ApiAccessLog, IdempotencyClaim, Scope
from cac.models import CallLog, Customer
from complaints.models import Complaint
from prospects.models import Prospect
from tests.api.conftest import client_with
from tests.cac.factories import CustomerFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "channel": "oem_hotline",
    "category": "repair_quality",
    "severity": "normal",
    "oem_reference": "OEM-2026-000123",
    "customer_phone": "+86 138-0013-8000",
    "customer_name": "张伟",
    "vin": make_vin(901),
    "vehicle_model": "凯美瑞",
    "description": "保养后发动机异响",
}
CALL = {"phone": "138 0013 8000", "started_at": "2026-12-02T09:30:00+08:00", "callId": "cti-1", "summary": "咨询"}
LEAD = {"oem_lead_id": "L-77", "name": "刘洋", "phone": "13900139000", "grade": "A", "model_of_interest": "RAV4"}

# (method, url name, kwargs, body, the scope it needs)
ENDPOINTS = [
    ("get", "api:customer_lookup", None, {"phone": "13800138000"}, Scope.CUSTOMERS_READ),
    ("get", "api:customer_summary", "customer", None, Scope.CUSTOMERS_READ),
    ("post", "api:calls", None, CALL, Scope.CALLS_WRITE),
    ("get", "api:complaints", None, None, Scope.COMPLAINTS_READ),
    ("get", "api:complaint_detail", "complaint", None, Scope.COMPLAINTS_READ),
    ("post", "api:complaints", None, COMPLAINT, Scope.COMPLAINTS_WRITE),
    ("post", "api:prospects", None, LEAD, Scope.PROSPECTS_WRITE),
]


@pytest.fixture
def records(dealer, managers, agent):
    customer = CustomerFactory(dealer=dealer, mobile="13800138000", name="张伟")
    complaint = Complaint.objects.create(
        dealer=dealer,
        number="TS-202612-0001",
        customer=customer,
        channel="oem_hotline",
        category="parts",
        department="after_sales",
        description="缺件",
        acknowledge_due_at="2026-12-02T10:00:00Z",
        resolve_due_at="2026-12-05T10:00:00Z",
    )
    return {"customer": customer, "complaint": complaint}


def _call(client, method, name, kwargs, body, records):
    url = reverse(name, args=[records[kwargs].pk] if kwargs else [])
    if method == "get":
        return client.get(url, body or {})
    return client.post(url, body, format="json")


@pytest.mark.parametrize(("method", "name", "kwargs", "body", "needed"), ENDPOINTS)
@pytest.mark.parametrize("scope", Scope.values)
def test_each_endpoint_with_each_scope(make_key, dealer, records, method, name, kwargs, body, needed, scope):
    response = _call(client_with(make_key(dealer, scopes=[scope])), method, name, kwargs, body, records)
    if scope == needed:
        assert response.status_code in (200, 201), response.json()
    else:
        assert response.status_code == 403
        assert needed in response.json()["errors"]["detail"][0]


@pytest.mark.parametrize(("method", "name", "kwargs", "body", "needed"), ENDPOINTS)
def test_no_key_or_a_wrong_one_is_401(client, make_key, dealer, records, method, name, kwargs, body, needed):
    assert _call(client, method, name, kwargs, body, records).status_code == 401
    wrong = make_key(dealer)[:-4] + "AAAA"
    response = _call(client_with(wrong), method, name, kwargs, body, records)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()["errors"]) == {"detail"}


def test_another_dealers_records_are_404(make_key, other_dealer, records):
    client = client_with(make_key(other_dealer))
    assert client.get(reverse("api:customer_summary", args=[records["customer"].pk])).status_code == 404
    assert client.get(reverse("api:complaint_detail", args=[records["complaint"].pk])).status_code == 404
    assert client.get(reverse("api:customer_lookup"), {"phone": "13800138000"}).json() == {"results": []}
    assert client.get(reverse("api:complaints")).json()["results"] == []


def test_a_revoked_key_is_401(make_key, dealer, records):
    from api.keys import api_key_revoke
    from api.models import ApiKey

    plain = make_key(dealer)
    api_key_revoke(key_id=ApiKey.objects.get().pk)
    assert client_with(plain).get(reverse("api:complaints")).status_code == 401


def test_lookup_by_any_spelling_and_the_summary(api, records):
    VehicleFactory(customer=records["customer"])
    for spelling in ("138 0013 8000", "+86 138-0013-8000", "008613800138000", "１３８００１３８０００"):
        found = api.get(reverse("api:customer_lookup"), {"phone": spelling}).json()["results"]
        assert [row["id"] for row in found] == [records["customer"].pk], spelling
    summary = api.get(reverse("api:customer_summary", args=[records["customer"].pk])).json()
    assert summary["customer"]["mobile"] == "13800138000"
    assert len(summary["vehicles"]) == 1
    assert [c["number"] for c in summary["open_complaints"]] == ["TS-202612-0001"]
    assert summary["follow_ups_owed"] == []


def test_lookup_of_a_bad_number_names_the_field(api, records):
    response = api.get(reverse("api:customer_lookup"), {"phone": "12"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["phone"]


def test_a_call_with_its_cti_id_is_recorded_once(api, records):
    first = api.post(reverse("api:calls"), CALL, format="json")
    again = api.post(reverse("api:calls"), CALL, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    call = CallLog.objects.get()
    assert (call.external_id, call.customer, call.phone) == ("cti-1", records["customer"], "13800138000")
    assert call.handled_by.api_key.name == "OEM CAC"


def test_an_oem_complaint_created_twice_is_one_record(api, managers):
    first = api.post(reverse("api:complaints"), COMPLAINT, format="json")
    again = api.post(reverse("api:complaints"), COMPLAINT, format="json")
    assert (first.status_code, again.status_code) == (201, 200), first.json()
    assert first.json()["id"] == again.json()["id"]
    complaint = Complaint.objects.get()
    assert complaint.oem_reference == "OEM-2026-000123"
    assert complaint.owner == managers["service_manager"]  # routed like any other: on the triage board
    assert complaint.vehicle.vin == COMPLAINT["vin"]
    body = first.json()
    assert body["status"] == "new" and body["steps"][0]["step"] == "received"
    assert {"acknowledge_due_at", "oem_status_due_at", "oem_result_due_at"} <= set(body["deadlines"])


def test_the_idempotency_header_makes_a_create_without_reference_idempotent(api, managers):
    body = {**COMPLAINT, "oem_reference": ""}
    first = api.post(reverse("api:complaints"), body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = api.post(reverse("api:complaints"), body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    other = api.post(reverse("api:complaints"), body, format="json", HTTP_IDEMPOTENCY_KEY="abd")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert Complaint.objects.count() == 2


def test_a_complaint_typed_in_by_hand_is_found_by_its_reference(api, records):
    Complaint.objects.filter(pk=records["complaint"].pk).update(oem_reference="OEM-2026-000123")
    response = api.post(reverse("api:complaints"), COMPLAINT, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == records["complaint"].pk
    assert Complaint.objects.count() == 1


def test_unknown_fields_are_refused_and_required_ones_named(api, managers):
    response = api.post(reverse("api:complaints"), {**COMPLAINT, "colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": {"colour": ["Unknown field."]}} or "colour" in response.json()["errors"]
    response = api.post(reverse("api:complaints"), {}, format="json")
    assert {"channel", "category", "customer_phone", "description"} <= set(response.json()["errors"])
    assert not Complaint.objects.exists()


def test_errors_in_the_callers_language(api):
    response = api.post(reverse("api:prospects"), {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["errors"]["name"] == ["此项为必填项。"]
    response = api.post(reverse("api:prospects"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["name"] == ["This field is required."]


def test_nothing_half_written_when_the_service_refuses(api, managers):
    # A new customer is made first; the VIN of another customer then refuses the complaint: neither stays.
    other = VehicleFactory(dealer=managers["director"].dealers.get())
    body = {**COMPLAINT, "customer_phone": "13700137000", "vin": other.vin}
    response = api.post(reverse("api:complaints"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["vin"]
    assert not Customer.objects.filter(mobile="13700137000").exists()
    assert not IdempotencyClaim.objects.exists()
    assert api.post(reverse("api:complaints"), {**body, "vin": ""}, format="json").status_code == 201


def test_a_one_megabyte_body_is_413(api):
    body = {**COMPLAINT, "description": "x" * (1024 * 1024)}
    response = api.post(reverse("api:complaints"), body, format="json")
    assert response.status_code == 413
    assert "detail" in response.json()["errors"]
    assert not Complaint.objects.exists()


def test_an_oem_lead_becomes_a_prospect_once(api, managers):
    first = api.post(reverse("api:prospects"), LEAD, format="json")
    again = api.post(reverse("api:prospects"), LEAD, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    prospect = Prospect.objects.get()
    assert (prospect.source, prospect.owner) == ("oem_lead", managers["sales_manager"])
    assert "L-77" in prospect.notes


def test_a_key_of_several_dealers_names_the_dealer(make_key, dealer, other_dealer, managers):
    client = client_with(make_key(dealer, other_dealer))
    response = client.post(reverse("api:calls"), CALL, format="json")
    assert list(response.json()["errors"]) == ["dealer"]
    response = client.post(reverse("api:calls"), {**CALL, "dealer": other_dealer.code}, format="json")
    assert response.status_code == 201 and response.json()["dealer"] == other_dealer.code
    response = client.post(reverse("api:calls"), {**CALL, "dealer": "XX99"}, format="json")
    assert list(response.json()["errors"]) == ["dealer"]


def test_every_request_is_in_the_access_log(api, make_key, dealer, records):
    api.get(reverse("api:complaints"))
    client_with(make_key(dealer, scopes=[Scope.CALLS_WRITE])).get(reverse("api:complaints"))
    rows = list(ApiAccessLog.objects.order_by("pk").values_list("method", "endpoint", "status"))
    assert rows == [("GET", "/api/v1/complaints/", 200), ("GET", "/api/v1/complaints/", 403)]
    assert all(row.key is not None and row.duration_ms >= 0 for row in ApiAccessLog.objects.all())


def test_the_key_is_throttled(api, settings, records):
    from django.core.cache import cache

    cache.clear()
    from api.authentication import ApiKeyThrottle

    ApiKeyThrottle.THROTTLE_RATES = {"api_key": "2/minute"}
    try:
        codes = [api.get(reverse("api:complaints")).status_code for _ in range(3)]
    finally:
        ApiKeyThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        cache.clear()
    assert codes == [200, 200, 429]


def test_the_schema_and_its_documentation_page(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    page = client.get(reverse("api:docs"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>" not in html and "<style>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_an_id_beyond_the_database_and_a_bad_idempotency_key(api, records):
    assert api.get(f"/api/v1/complaints/{2**70}/").status_code == 404
    assert api.get(f"/api/v1/customers/{2**70}/").status_code == 404
    response = api.post(reverse("api:complaints"), COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="x" * 101)
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
