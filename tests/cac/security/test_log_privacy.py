"""Request logs never carry a whole phone number: runserver's request lines and Django's logging (through the
handlers of settings.LOGGING), and gunicorn's access log (through gunicorn.conf.py), each run for real."""

import io
import logging
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from cac.security.log_privacy import GunicornLogger, MaskPhoneNumbers, mask_log_text, mask_query_string

MOBILE = "13912345678"
TYPED = ["139", "1391", "139123", "1391234567", MOBILE, "139 1234 5678", "+86 139-1234-5678"]


def _leaks(text: str) -> list[str]:
    """Whole or nearly whole numbers in `text`: the number, its 10-digit beginning, its last 7 digits."""
    compact = text.replace("+", "").replace("%20", "").replace("-", "").replace(" ", "")
    return [part for part in (MOBILE, MOBILE[:10], MOBILE[4:]) if part in compact]


def test_query_strings_of_the_phone_box_are_masked_as_typed():
    lines = [mask_query_string(f"q={urllib.parse.quote(typed)}") for typed in TYPED]
    assert (
        lines == ["q=139", "q=139%2A", "q=139%2A%2A%2A", "q=139%2A%2A%2A%2A%2A%2A%2A"] + ["q=139%2A%2A%2A%2A5678"] * 3
    )
    assert mask_query_string("phone=13912345678&call=12") == "phone=139%2A%2A%2A%2A5678&call=12"
    # Other parameters keep their values, except whole numbers.
    assert (
        mask_query_string("customer=12345&page=2&date_from=2026-03-01") == "customer=12345&page=2&date_from=2026-03-01"
    )
    assert mask_log_text('"GET /complaints/?owner=3&note=13912345678 HTTP/1.1" 200') == (
        '"GET /complaints/?owner=3&note=139%2A%2A%2A%2A5678 HTTP/1.1" 200'
    )
    assert mask_log_text("SMS to 13912345678: 您好") == "SMS to 139****5678: 您好"


CTI_TOKEN = "Zq9-8_xTs7LkP2mN4vB6cX1dF3gH5jK0wE8rT2yU4iO"
RECEIPT_TOKEN = "r3c3ipt-T0ken_abcdefghijklmnopqrstuvwxyz0123"


def _secret_paths() -> list[str]:
    """The endpoints whose token is in the path, as the URL configuration makes them."""
    from django.urls import reverse

    return [
        reverse("api:cti_event", kwargs={"token": CTI_TOKEN}),
        reverse("sms_receipt", kwargs={"vendor": "aliyun", "token": RECEIPT_TOKEN}),
    ]


def _holds_a_token(text: str) -> bool:
    return CTI_TOKEN in text or RECEIPT_TOKEN in text or CTI_TOKEN[:8] in text or RECEIPT_TOKEN[:8] in text


def test_the_tokens_in_the_paths_of_the_cti_endpoint_and_the_sms_receipts_are_masked():
    cti, receipt = _secret_paths()
    assert mask_log_text(f'"POST {cti} HTTP/1.1" 200') == '"POST /api/v1/cti/****/ HTTP/1.1" 200'
    assert mask_log_text(f"Not Found: {receipt}?x=1") == "Not Found: /sms/receipts/aliyun/****/?x=1"
    assert mask_log_text(f"http://cac.example.com{cti}") == "http://cac.example.com/api/v1/cti/****/"
    # Nothing else is touched: the line still says which endpoint and which vendor.
    assert mask_log_text("/api/v1/customers/12/ /sms/receipts/") == "/api/v1/customers/12/ /sms/receipts/"


def _masks(handler: logging.Handler) -> bool:
    return any(isinstance(f, MaskPhoneNumbers) for f in handler.filters)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"Referer": f"http://127.0.0.1/customers/find/?q={MOBILE}"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server_log():
    """Django's own handler of `django.server`, as settings.LOGGING configures it, writing into a buffer."""
    (handler,) = [h for h in logging.getLogger("django.server").handlers if _masks(h)]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db(transaction=True)
def test_runserver_request_lines_hold_no_whole_number(server_log):
    """The development server's request handler, serving the app: the phone box typed digit by digit, Enter, and
    the new-caller page (anonymous: each answers a redirect to the login page, and each is logged)."""
    assert "cac.security.log_privacy.MaskPhoneNumbers" in str(settings.LOGGING["filters"])
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for typed in TYPED:
            assert _get(f"{base}/customers/lookup/?q={urllib.parse.quote(typed)}") == 302
        assert _get(f"{base}/customers/find/?q={MOBILE}") == 302
        assert _get(f"{base}/calls/new/?phone={MOBILE}") == 302
    finally:
        server.shutdown()
        server.server_close()
    log = server_log.getvalue()
    assert log.count("/customers/lookup/") == len(TYPED) and "/calls/new/?phone=139" in log, log
    assert _leaks(log) == [], log


def test_django_logging_masks_whole_numbers_in_any_message():
    buffer = io.StringIO()
    (handler,) = [h for h in logging.getLogger().handlers if _masks(h)]
    # Django's loggers write through it only (pytest adds capturing handlers of its own).
    streams = [h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler]
    assert streams == [handler]
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("cac.deadlines.sms").warning("SMS to %s failed: %s", MOBILE, "timeout")
        logging.getLogger("django.request").warning("Not Found: %s", f"/calls/new/?phone={MOBILE}")
        for path in _secret_paths():
            logging.getLogger("django.request").warning("Not Found: %s", path)
    finally:
        handler.setStream(previous)
    assert _leaks(buffer.getvalue()) == [] and "139****5678" in buffer.getvalue()
    assert not _holds_a_token(buffer.getvalue()) and buffer.getvalue().count("/****/") == 2


def test_gunicorn_reads_the_masking_logger_from_the_repository():
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    config = subprocess.run(
        [gunicorn, "--print-config", "cac.wsgi"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^logger_class\s*=\s*cac\.security\.log_privacy\.GunicornLogger$", config, re.MULTILINE), config


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_holds_no_whole_number(tmp_path):
    """gunicorn serving the app as docker-compose runs it (one worker, the access log to a file here)."""
    port, access_log = _free_port(), tmp_path / "access.log"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    # The combined format with the referer and the whole query string, so that every atom that may hold one is there.
    log_format = '%(h)s "%(r)s" %(s)s "%(f)s" "%(q)s" "%({referer}i)s" "%(U)s"'
    process = subprocess.Popen(
        [gunicorn, "cac.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(access_log)]
        + ["--access-logformat", log_format],
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "cac.settings_test", "PATH": str(Path(sys.executable).parent)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        for typed in TYPED:
            assert _get(f"http://127.0.0.1:{port}/customers/lookup/?q={urllib.parse.quote(typed)}") == 302
        assert _get(f"http://127.0.0.1:{port}/calls/new/?phone={MOBILE}") == 302
        for path in _secret_paths():  # whatever the answer (the token opens nothing), the request is logged
            assert _get(f"http://127.0.0.1:{port}{path}") >= 400
    finally:
        process.terminate()
        process.wait(timeout=20)
    log = access_log.read_text()
    assert log.count("/customers/lookup/") >= len(TYPED) and "/calls/new/?phone=139" in log, log
    assert _leaks(log) == [], log
    assert not _holds_a_token(log), log
    assert "/api/v1/cti/****/" in log and "/sms/receipts/aliyun/****/" in log, log


def test_the_gunicorn_logger_masks_its_atoms():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/customers/lookup/?q={MOBILE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/customers/lookup/",
        "QUERY_STRING": f"q={MOBILE}",
        "HTTP_REFERER": f"http://cac/calls/new/?phone={MOBILE}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert _leaks(" ".join(str(value) for value in atoms.values())) == []
    assert atoms["U"] == "/customers/lookup/" and atoms["s"] == "200"
    cti = _secret_paths()[0]
    environ.update(REQUEST_METHOD="POST", RAW_URI=cti, PATH_INFO=cti, QUERY_STRING="", HTTP_REFERER="")
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    assert not _holds_a_token(" ".join(str(value) for value in atoms.values()))
    assert atoms["U"] == "/api/v1/cti/****/" and atoms["r"] == "POST /api/v1/cti/****/ HTTP/1.1"
