"""The health split: live answers from the process alone, ready needs the database and only reports the broker."""

import socket

import pytest
from django.db import OperationalError
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

from cac.celery import app as celery_app


def _closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_broker(monkeypatch):
    """The broker URL pointed at a closed port: every connection is refused, as when Redis is stopped."""
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_live_answers_without_the_database(client, monkeypatch):
    # No database access is allowed in this test at all, and the connection is broken besides.
    monkeypatch.setattr("cac.platform.health.connection", _BrokenConnection())
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/healthz/ready", "/healthz"])
def test_ready_stays_200_with_the_broker_unreachable(client, unreachable_broker, address):
    response = client.get(address)
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_ready_is_503_without_the_database(client, unreachable_broker, monkeypatch):
    monkeypatch.setattr("cac.platform.health.connection", _BrokenConnection())
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["status"] == "error"


@pytest.mark.parametrize("address", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_probes_are_answered_over_plain_http(settings, address):
    """Probes come from inside the network without the proxy's X-Forwarded-Proto; they are not redirected."""
    settings.SECURE_SSL_REDIRECT = True
    middleware = SecurityMiddleware(lambda request: None)
    assert middleware.process_request(RequestFactory().get(address)) is None
    assert middleware.process_request(RequestFactory().get("/customers/")) is not None
