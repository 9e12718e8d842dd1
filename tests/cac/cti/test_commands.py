"""`cti_line` prints the endpoint once; `cti_simulate` posts a whole call over HTTP to a running server."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cac.cti.lines import cti_line_check, cti_line_create
from cac.models import CtiCall, CtiLine

URL = re.compile(r"http\S+/api/v1/cti/(?P<token>[^/\s]+)/")


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_cti_line_create_prints_the_url_and_rotate_replaces_it(dealer):
    first = URL.search(_run("cti_line", "create", "--dealer", "GZ01", "--number", "020 8888 0000")).group("token")
    line = CtiLine.objects.get(number="02088880000")
    assert cti_line_check(first) == line and first not in line.token_hash
    second = URL.search(_run("cti_line", "rotate", "--number", "02088880000")).group("token")
    assert cti_line_check(first) is None and cti_line_check(second) == line


@pytest.mark.django_db
def test_cti_line_refuses_an_unknown_dealer_or_a_second_line_with_the_number(dealer):
    with pytest.raises(CommandError):
        _run("cti_line", "create", "--dealer", "XX99", "--number", "02088880000")
    _run("cti_line", "create", "--dealer", "GZ01", "--number", "02088880000")
    with pytest.raises(CommandError):
        _run("cti_line", "create", "--dealer", "GZ01", "--number", "02088880000")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("missed", [False, True])
def test_cti_simulate_posts_a_call_to_a_running_server(live_server, dealer, make_user, missed):
    agent = make_user("agent", dealer, username="agent", extension="801")
    _line, token = cti_line_create(dealer=dealer, number="02088880000")
    args = ["--line", "02088880000", "--from", "13800138000", "--agent", "agent", "--token", token]
    args += ["--url", live_server.url, "--ring", "0", "--talk", "0.2"] + (["--missed"] if missed else [])
    out = _run("cti_simulate", *args)
    assert out.count(": 200 {}") == (2 if missed else 3)
    call = CtiCall.objects.get()
    assert call.phone == "13800138000" and call.missed is missed
    assert call.answered_by == (None if missed else agent)
    assert list(call.agents.all()) == [agent]


@pytest.mark.django_db(transaction=True)
def test_cti_simulate_posts_to_the_site_address_by_default(live_server, dealer, make_user, settings):
    """Without --url, where the line's phone system posts: CAC_SITE_URL (http://127.0.0.1:8000 under make run)."""
    settings.CAC_SITE_URL = live_server.url
    make_user("agent", dealer, username="agent")
    _line, token = cti_line_create(dealer=dealer, number="02088880000")
    args = ["--line", "02088880000", "--from", "13800138000", "--token", token, "--ring", "0", "--missed"]
    out = _run("cti_simulate", *args)
    assert out.startswith(f"Calling {live_server.url} as the phone system of the line 02088880000.")
    assert out.count(": 200 {}") == 2 and CtiCall.objects.get().missed


@pytest.mark.django_db
def test_cti_simulate_refuses_an_address_that_is_not_http(dealer):
    _line, token = cti_line_create(dealer=dealer, number="02088880000")
    with pytest.raises(CommandError, match="--url"):
        _run("cti_simulate", "--line", "02088880000", "--from", "13800138000", "--token", token, "--url", "ftp://x")
