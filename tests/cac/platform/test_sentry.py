"""Errors go to Sentry (or GlitchTip, the same protocol) when a DSN is set, and nowhere without one. The Sentry
server is outside the system: a local fake server over real HTTP receives what the SDK sends."""

import gzip
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
import sentry_sdk
from django.urls import path

from cac.platform.observability import sentry_init


def _boom(request):
    customer_mobile = "".join(["138", "0013", "8000"])  # a local variable: its value must not be sent
    raise ZeroDivisionError(f"the report's divisor ({len(customer_mobile)})")


urlpatterns = [path("boom", _boom)]


@pytest.fixture
def sentry_server():
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                body = brotli.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, received
    server.shutdown()
    server.server_close()
    sentry_sdk.init(dsn=None)  # off again for the rest of the suite


def test_without_a_dsn_nothing_is_sent():
    assert sentry_sdk.get_client().dsn is None


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_in_a_view_reaches_the_configured_server(client, sentry_server):
    server, received = sentry_server
    sentry_init(
        dsn=f"http://publickey@127.0.0.1:{server.server_port}/7",
        environment="test",
        release="cac@test",
        traces_sample_rate=0.0,
    )
    client.raise_request_exception = False
    request_id = uuid.uuid4().hex
    response = client.get("/boom", HTTP_X_REQUEST_ID=request_id, HTTP_COOKIE="sessionid=secret-session")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    event = b"".join(received).decode()
    assert "ZeroDivisionError" in event and "the report's divisor (11)" in event
    assert "13800138000" not in event
    assert request_id in event  # tagged with the request id of the log lines
    assert '"environment":"test"' in event.replace(" ", "")
    assert "secret-session" not in event  # no personal data: cookies are not sent
