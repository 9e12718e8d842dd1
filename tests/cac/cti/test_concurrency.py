"""Events of one call arriving at the same moment make one record (PostgreSQL decides)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cac.cti.lines import cti_line_create
from cac.models import CtiCall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_events_of_one_call_racing_make_one_call(postgres, dealer, make_user):
    agent = make_user("agent", dealer, username="wang", extension="801")
    _line, token = cti_line_create(dealer=dealer, number="02088880000")
    start = threading.Barrier(3)
    bodies = [
        {"event": "newCall", "callId": "r-1", "from": "13800138000", "direction": "in", "user": "801"},
        {"event": "answer", "callId": "r-1", "answeringNumber": "801", "from": "13800138000", "direction": "in"},
        {"event": "hangup", "callId": "r-1", "cause": "normalClearing", "from": "13800138000", "direction": "in"},
    ]
    codes: list[int] = []

    def post(body) -> None:
        try:
            client = APIClient()
            start.wait(timeout=5)
            codes.append(client.post(f"/api/v1/cti/{token}/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200, 200, 200]
    call = CtiCall.objects.get()
    assert call.answered_by == agent and call.ended_at is not None and not call.missed
