"""The changes feed: every change of a complaint comes exactly once, however the pages fall."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from complaints.services import complaint_transition
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import open_complaint

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 31, 23, 50, tzinfo=UTC)  # a year's end, the Shanghai date already past


def _read_all(api, cursor, limit):
    seen, pages = [], 0
    while True:
        body = api.get(reverse("api:complaints"), {"cursor": cursor, "limit": limit} if cursor else {"limit": limit})
        assert body.status_code == 200, body.json()
        data = body.json()
        seen += [(row["id"], row["status"]) for row in data["results"]]
        cursor, pages = data["next_cursor"], pages + 1
        if not data["has_more"]:
            return seen, cursor


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_every_change_exactly_once(api, dealer, managers, agent, limit):
    customer = CustomerFactory(dealer=dealer)
    with time_machine.travel(START, tick=True) as traveller:
        complaints = [open_complaint(customer=customer, acting_user=agent) for _ in range(4)]
        traveller.shift(timedelta(seconds=5))
        seen, cursor = _read_all(api, None, limit)
        assert sorted(pk for pk, _status in seen) == sorted(c.pk for c in complaints)
        assert len(seen) == 4

        complaint_transition(complaint_id=complaints[1].pk, action="acknowledge", acting_user=agent)
        complaint_transition(complaint_id=complaints[3].pk, action="acknowledge", acting_user=agent)
        # Too fresh: a change younger than the settle window waits.
        assert api.get(reverse("api:complaints"), {"cursor": cursor}).json()["results"] == []
        traveller.shift(timedelta(seconds=5))
        changed, cursor = _read_all(api, cursor, limit)
        assert changed == [(complaints[1].pk, "acknowledged"), (complaints[3].pk, "acknowledged")]

        traveller.shift(timedelta(seconds=5))
        assert _read_all(api, cursor, limit)[0] == []


def test_a_forged_cursor_is_refused(api):
    response = api.get(reverse("api:complaints"), {"cursor": "WyIyMDI2LTAxLTAxIiwgMV0:1abc:xyz"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]
    response = api.get(reverse("api:complaints"), {"limit": "0"})
    assert list(response.json()["errors"]) == ["limit"]
