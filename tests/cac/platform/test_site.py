"""Absolute links from CAC_SITE_URL, and SMTP configured by EMAIL_URL."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cac.platform.site import absolute_reverse, absolute_url

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("site", "path", "expected"),
    [
        ("https://cac.example.com", "/complaints/3/", "https://cac.example.com/complaints/3/"),
        ("https://cac.example.com/", "/complaints/3/", "https://cac.example.com/complaints/3/"),
        ("https://example.com/cac", "/complaints/3/", "https://example.com/cac/complaints/3/"),
        ("https://cac.example.com", "https://elsewhere.example/x", "https://elsewhere.example/x"),
        ("https://cac.example.com", "", ""),
    ],
)
def test_absolute_url(settings, site, path, expected):
    settings.CAC_SITE_URL = site
    assert absolute_url(path) == expected


def test_absolute_reverse(settings):
    settings.CAC_SITE_URL = "https://cac.example.com"
    assert absolute_reverse("complaints:detail", args=[7]) == "https://cac.example.com/complaints/7/"


def test_every_module_that_sends_mail_is_one_whose_links_are_tested():
    """The e-mails are sent from these modules, and a test of each checks its links (tests/mail_links.py): a new
    sender elsewhere must come with such a test."""
    senders = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "bench"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in {"send_mail", "send_mass_mail", "EmailMessage", "EmailMultiAlternatives", "mail_admins"}:
                    senders.add(str(path.relative_to(ROOT)))
    # cac/deadlines/notifications.py sends the mails that complaints/tasks.py and callbacks/tasks.py compose (the
    # director's and the 三包 alerts), whose links are tested; api/oem.py mails the OEM's regional contact, who has
    # no account here: its report carries no link (tests/api/test_oem_reports.py checks it has no site path either).
    assert senders == {"cac/tasks.py", "cac/deadlines/notifications.py", "api/oem.py"}


def _settings_with(environment: dict[str, str]) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL_", "CAC_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "cac.settings", "DJANGO_SECRET_KEY": "x" * 60, **environment})
    script = (
        "import django, json; from django.conf import settings as s; django.setup(); print(json.dumps({k: getattr(s, k)"
        " for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD',"
        " 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'CAC_SITE_URL')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_email_url_gives_user_password_and_starttls():
    config = _settings_with(
        {"EMAIL_URL": "smtp+tls://cac%40example.com:p%40ss%3Aword@smtp.example.com:587", "DJANGO_ALLOWED_HOSTS": "a.b"}
    )
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("cac@example.com", "p@ss:word")
    assert (config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (True, False)
    assert config["CAC_SITE_URL"] == "https://a.b"  # without CAC_SITE_URL, the first allowed host over HTTPS


def test_email_url_with_implicit_tls():
    config = _settings_with({"EMAIL_URL": "smtp+ssl://user:secret@smtp.example.com", "CAC_SITE_URL": "https://x.y"})
    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (465, False, True)
    assert config["CAC_SITE_URL"] == "https://x.y"


def test_without_email_url_the_separate_settings_still_work():
    config = _settings_with({"EMAIL_HOST": "mail.local", "EMAIL_PORT": "2525"})
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_HOST_USER"]) == ("mail.local", 2525, "")
