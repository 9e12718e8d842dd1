"""Login throttling with django-axes: a scripted brute force, the message, the address behind the proxy, the log,
and the administrators' view of lockouts."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from cac.security.login_security import client_ip
from tests.conftest import verify_two_factor

PASSWORD = "pw-for-tests-only"
START = datetime(2026, 12, 31, 23, 50, tzinfo=ZoneInfo("Asia/Shanghai"))  # the year ends during the cool-off


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _brute_force(client, username, times=5, *, limit=5, **extra):
    """`times` wrong passwords: the login page with its error until the limit, then the lockout (HTTP 429)."""
    for attempt in range(1, times + 1):
        response = _login(client, username, "wrong-password", **extra)
        assert response.status_code == (429 if attempt >= limit else 200), attempt


def test_five_failures_lock_the_username_from_that_address_until_the_cool_off_ends(client, agent):
    with time_machine.travel(START, tick=False) as clock:
        _brute_force(client, "agent")
        response = _login(client, "agent", PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        clock.shift(timedelta(minutes=14, seconds=59))
        assert _login(client, "agent", PASSWORD).status_code == 429
        clock.shift(timedelta(seconds=2))
        response = _login(client, "agent", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(agent.pk)


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(client, agent):
    _brute_force(client, "agent", times=4)
    assert _login(client, "agent", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="agent").exists()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Too many failed sign-ins for this user from this address. Try again in 15 minutes"),
        ("zh-hans", "15 分钟"),
    ],
)
def test_the_lockout_message_is_in_the_users_language(client, agent, language, text):
    client.cookies["django_language"] = language
    _brute_force(client, "agent")
    page = _login(client, "agent", PASSWORD).content.decode()
    assert text in page
    assert 'name="username"' in page  # the login page itself, with the message


def test_limit_and_cool_off_are_settings(client, agent, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    with time_machine.travel(START, tick=False) as clock:
        _brute_force(client, "agent", times=2, limit=2)
        assert _login(client, "agent", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))
        assert _login(client, "agent", PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_address(client, agent, make_user, dealer):
    make_user("agent", dealer, username="colleague")
    _brute_force(client, "agent")
    assert _login(client, "colleague", PASSWORD).status_code == 302  # the same address, another user
    client.logout()
    assert _login(client, "agent", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302  # another address


def test_a_forged_forwarded_for_header_does_not_escape_the_lock_without_a_proxy(client, agent):
    for hop in range(6):
        _login(client, "agent", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{hop}")
    assert _login(client, "agent", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="172.18.0.5")
    settings.CAC_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.5"
    settings.CAC_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what the client wrote itself (6.6.6.6) is not trusted
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.5")) == "172.18.0.5"


def test_every_failure_and_the_lockout_are_logged_and_kept(client, agent, caplog):
    with caplog.at_level(logging.WARNING, logger="cac.security"):
        _brute_force(client, "agent")
        _login(client, "agent", PASSWORD)
    messages = [record.getMessage() for record in caplog.records if record.name == "cac.security"]
    assert sum(message.startswith("Login failed for 'agent' from 127.0.0.1") for message in messages) >= 5
    assert "Login locked out for 'agent' from 127.0.0.1" in messages
    assert AccessFailureLog.objects.filter(username="agent").count() >= 5


def test_an_administrator_sees_and_clears_its_dealers_lockouts_only(client, agent, other_agent, make_user, dealer):
    _brute_force(client, "agent")
    _brute_force(client, "other-agent")
    administrator = make_user("admin", dealer, username="gz-admin", is_staff=True)
    client.force_login(administrator)
    verify_two_factor(client, administrator)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert {row.username for row in response.context["cl"].result_list} == {"agent"}
    attempt = AccessAttempt.objects.get(username="agent")
    other = AccessAttempt.objects.get(username="other-agent")
    assert client.get(reverse("admin:axes_accessattempt_change", args=[other.pk])).status_code == 302
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="agent").exists()
    assert AccessAttempt.objects.filter(username="other-agent").exists()
    client.logout()
    assert _login(client, "agent", PASSWORD).status_code == 302
