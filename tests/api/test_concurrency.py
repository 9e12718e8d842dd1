"""Two requests with the same OEM reference at the same moment make one complaint (PostgreSQL decides)."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from api import services
from complaints.models import Complaint
from prospects.models import Prospect
from tests.api.conftest import client_with
from tests.api.test_endpoints import COMPLAINT, LEAD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def _race(plain: str, url: str, body: dict, **headers) -> list[int]:
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def post() -> None:
        try:
            client = client_with(plain)
            barrier.wait()
            codes.append(client.post(url, body, format="json", **headers).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


@pytest.fixture
def slow_creates(monkeypatch):
    """The first request holds its claim a while before it commits, so the second surely meets it."""
    for name in ("complaint_create", "prospect_create"):
        real = getattr(services, name)

        def slow(*args, _real=real, **kwargs):
            time.sleep(0.3)
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, slow)


def test_two_oem_complaints_racing_make_one(postgres, make_key, dealer, managers, slow_creates):
    assert _race(make_key(dealer), reverse("api:complaints"), COMPLAINT) == [200, 201]
    assert Complaint.objects.count() == 1


def test_two_requests_with_one_idempotency_key_make_one(postgres, make_key, dealer, managers, slow_creates):
    body = {**COMPLAINT, "oem_reference": ""}
    assert _race(make_key(dealer), reverse("api:complaints"), body, HTTP_IDEMPOTENCY_KEY="k-1") == [200, 201]
    assert Complaint.objects.count() == 1


def test_two_leads_racing_make_one_prospect(postgres, make_key, dealer, managers, slow_creates):
    assert _race(make_key(dealer), reverse("api:prospects"), LEAD) == [200, 201]
    assert Prospect.objects.count() == 1
