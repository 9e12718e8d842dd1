"""Sessions: the idle timeout slides with each request, the absolute lifetime does not; a password change signs
out the user's other sessions; the password rules for real users."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

PASSWORD = "pw-for-tests-only"
SHIFT_START = datetime(2026, 12, 31, 21, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a night shift across the year end


def _log_in(client: Client) -> None:
    response = client.post(reverse("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302


def _is_signed_in(client: Client) -> bool:
    response = client.get(reverse("desk"))
    return response.status_code == 200


def test_eight_idle_hours_sign_out(client, agent):
    with time_machine.travel(SHIFT_START, tick=False) as clock:
        _log_in(client)
        clock.shift(timedelta(hours=7, minutes=59))
        assert _is_signed_in(client)
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get(reverse("desk"))
        assert response.status_code == 302 and reverse("login") in response.url
        assert "_auth_user_id" not in client.session


def test_each_request_extends_the_idle_timeout(client, agent, settings):
    settings.CAC_SESSION_MAX_SECONDS = 24 * 3600
    with time_machine.travel(SHIFT_START, tick=False) as clock:
        _log_in(client)
        for _hour in range(3):
            clock.shift(timedelta(hours=5))
            assert _is_signed_in(client)  # 15 hours in, never 8 idle


def test_the_absolute_lifetime_ends_even_a_busy_session(client, agent, settings):
    settings.CAC_SESSION_MAX_SECONDS = 10 * 3600
    with time_machine.travel(SHIFT_START, tick=False) as clock:
        _log_in(client)
        for _hour in range(9):
            clock.shift(timedelta(hours=1))
            assert _is_signed_in(client)
        clock.shift(timedelta(hours=1, minutes=1))
        assert not _is_signed_in(client)
        _log_in(client)  # a new sign-in starts a new lifetime
        assert _is_signed_in(client)


def test_the_idle_timeout_is_a_setting(client, agent, settings):
    settings.CAC_SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(SHIFT_START, tick=False) as clock:
        _log_in(client)
        clock.shift(timedelta(minutes=31))
        assert not _is_signed_in(client)


def test_a_password_change_signs_out_the_other_sessions(agent):
    office, phone = Client(), Client()
    _log_in(office)
    _log_in(phone)
    response = office.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-shift-password-2026",
            "new_password2": "a-new-shift-password-2026",
        },
    )
    assert response.status_code == 302
    assert _is_signed_in(office)  # the session that changed it stays
    assert not _is_signed_in(phone)


def test_a_password_set_elsewhere_signs_out_every_session(client, agent):
    _log_in(client)
    agent.set_password("set-by-the-operator-2026")
    agent.save()
    assert not _is_signed_in(client)


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short-pw-1", True),  # 10 characters
        ("password1234", True),  # common
        ("482915736204", True),  # only digits
        ("cac-agent-2026", False),  # 14 characters, not common
    ],
)
def test_password_rules_for_real_users(agent, password, refused):
    if refused:
        with pytest.raises(ValidationError):
            validate_password(password, user=agent)
    else:
        validate_password(password, user=agent)


def test_the_password_change_page_refuses_a_weak_password_with_a_field_error(client, agent):
    _log_in(client)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
