"""Log lines carry the request id and the user id, from the request into the tasks it enqueues."""

import io
import json
import logging
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu import Connection

from cac.celery import app as celery_app
from tests.cac.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """The lines the configured console handler writes (settings.LOGGING), as parsed JSON objects."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]

    yield read
    handler.setStream(previous)


@pytest.fixture
def filesystem_broker(tmp_path, monkeypatch):
    """kombu's file-system transport in a throw-away folder, so the published messages can be read back."""
    folder = tmp_path / "broker"
    for name in ("queue", "processed"):
        (folder / name).mkdir(parents=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", options)
    # Publishing goes through pools made on first use: made again here, on this broker.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    return options


def _published(options: dict, queue: str) -> list:
    with Connection("filesystem://", transport_options=options) as connection:
        simple = connection.SimpleQueue(queue, no_ack=True)
        messages = []
        while True:
            try:
                messages.append(simple.get(timeout=0.2))
            except simple.Empty:
                return messages


def test_the_response_carries_the_proxys_request_id_or_a_new_one(client):
    incoming = uuid.uuid4().hex
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming
    made = client.get("/healthz/live")["X-Request-ID"]
    assert len(made) == 32 and made != incoming
    # Anything but a UUID is replaced: a header cannot write what it likes into the logs.
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID='x"}\n{"level": "ERROR')["X-Request-ID"] != incoming


@pytest.mark.django_db(transaction=True)  # the enqueue happens on the real commit, inside the request
def test_a_task_enqueued_by_a_request_logs_with_the_requests_id(
    agent_client, agent, dealer, filesystem_broker, log_lines
):
    """A major complaint sends the director's mail as a task; without a director the task logs a warning. That
    line, written by the task run from the message as the worker receives it, carries the request's id."""
    from celery.worker.request import Request

    customer = CustomerFactory(dealer=dealer)
    request_id = uuid.uuid4().hex
    data = {
        "channel": "walk_in",
        "category": "other",
        "severity": "major",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "description": "修后刹车失灵",
    }
    response = agent_client.post(
        reverse("complaints:create") + f"?customer={customer.pk}", data, HTTP_X_REQUEST_ID=request_id
    )
    assert response.status_code == 302

    queue = celery_app.amqp.router.route({}, "complaints.notify_director")["queue"].name
    messages = [m for m in _published(filesystem_broker, queue) if m.headers["task"] == "complaints.notify_director"]
    assert len(messages) == 1
    assert messages[0].headers["X-Request-ID"] == request_id
    Request(messages[0], app=celery_app, task=celery_app.tasks["complaints.notify_director"]).execute()

    line = next(line for line in log_lines() if line["message"].startswith("No director with an e-mail address"))
    assert line["request_id"] == request_id
    assert line["user_id"] == agent.pk
    assert (line["level"], line["logger"]) == ("WARNING", "complaints.tasks")
    assert line["time"].startswith(str(timezone.now().year))
