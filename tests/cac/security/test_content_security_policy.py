"""The Content-Security-Policy: on every page of the query-count table (every list and detail page, full of rows) and
of the admin, with no inline script, handler or style in what they render, nor in any template; report-only in
DEBUG. The URL × role tables of each app check the header on each of their responses (tests/csp.py), the browser
tests check that the browser logs no violation (tests/conftest.py)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from tests.cac.factories import CallLogFactory, UserFactory, VehicleFactory
from tests.complaints.factories import ComplaintFactory
from tests.conftest import verify_two_factor
from tests.csp import HEADER, csp_problems, inline_code, policy_of
from tests.test_query_counts import PAGES, world  # noqa: F401 (the fixture of the table's data set)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("view", PAGES, ids=lambda view: view.id)
def test_every_page_carries_the_policy_and_no_inline_code(client, world, view):  # noqa: F811
    world, _small = world
    client.force_login(world.viewers[view.role])
    response = client.get(view.url(world), view.query(world))
    assert response.status_code == 200
    assert csp_problems(response) == []


def test_error_pages_and_static_files_carry_the_policy(client, agent):
    client.force_login(agent)
    for path, status in [("/no-such-page/", 404), (reverse("reports:list"), 403), ("/accounts/login/", 302)]:
        response = client.get(path)
        assert response.status_code == status
        assert csp_problems(response) == [], path
    assert inline_code(render_to_string("500.html")) == []


@pytest.fixture
def admin_client_with_rows(client, dealer, media_root):
    """A superuser in the admin, with a row of each kind that the pages below open."""
    complaint = ComplaintFactory(customer__dealer=dealer)
    CallLogFactory(customer=complaint.customer, dealer=dealer)
    VehicleFactory(customer=complaint.customer)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    verify_two_factor(client, root)
    return client


def _admin_paths():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse(f"admin:{info[0]}_{info[1]}_changelist")
        yield reverse(f"admin:{info[0]}_{info[1]}_add")
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for page in ("change", "history", "delete"):
                try:
                    yield reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])
                except NoReverseMatch:
                    continue


def test_admin_pages_carry_the_policy_and_no_inline_code(admin_client_with_rows):
    client = admin_client_with_rows
    problems = {}
    paths = [reverse("admin:index"), *_admin_paths()]
    for path in paths:
        response = client.get(path)
        if response.status_code not in (200, 403):  # 403: an admin that allows no adding (FailedTask)
            problems[path] = [f"status {response.status_code}"]
        elif found := csp_problems(response):
            problems[path] = found
    assert problems == {}
    assert len(paths) > 40


# Template sources: what the rendered pages above may not reach (branches not taken) is checked in the source.
INLINE_IN_SOURCE = re.compile(
    r"""\sstyle\s*=|\son[a-z]+\s*=|<script(?![^>]*\bsrc=)[^>]*>|<style\b|\shx-on|\shx-vars|["']js:|javascript:""",
    re.IGNORECASE,
)
# Rendered by WeasyPrint into the report PDF, never served as HTML: its stylesheet may stay inline.
PDF_TEMPLATES = {"templates/reports/report_pdf.html"}


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/jinja2")]:
        if ".venv" in folder.parts:
            continue
        yield from (path for path in folder.rglob("*") if path.suffix in {".html", ".svg", ".txt"})


def test_no_template_holds_inline_script_or_style():
    found = {}
    for path in _templates():
        name = str(path.relative_to(ROOT))
        if name in PDF_TEMPLATES:
            continue
        if hits := INLINE_IN_SOURCE.findall(path.read_text(encoding="utf-8")):
            found[name] = hits
    assert found == {}
    assert sum(1 for _ in _templates()) > 50


@pytest.mark.parametrize(
    "html",
    [
        '<div style="color: red">',
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<div hx-on:click="go()">',
        "<div hx-vals='js:{a: 1}'>",
        '<a href="javascript:go()">',
        "<style>p { color: red }</style>",
    ],
)
def test_the_checker_finds_inline_code(html):
    assert inline_code(f"<html><body>{html}</body></html>") != []


def test_the_checker_accepts_scripts_from_files_and_data_attributes():
    html = '<script src="/static/js/behaviours.js" defer></script><select data-autosubmit hx-get="/x"></select>'
    assert inline_code(html) == []


def _policy_headers(debug: bool) -> dict:
    """The headers a page gets under the production settings, with DJANGO_DEBUG on or off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CAC_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cac.settings",
            "DJANGO_DEBUG": "1" if debug else "0",
            "DJANGO_SECRET_KEY": "policy-check-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": "sqlite:///:memory:",
        }
    )
    script = (
        "import django, json; django.setup(); from django.test import Client;"
        "r = Client().get('/');"  # a redirect to the login page: no template, no static files
        "print(json.dumps({k: v for k, v in r.headers.items() if k.startswith('Content-Security-Policy')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_policy_is_enforced_in_production_and_report_only_in_debug():
    production = _policy_headers(debug=False)
    assert set(production) == {HEADER}
    assert policy_of(production[HEADER])["frame-ancestors"] == ["'none'"]
    debug = _policy_headers(debug=True)
    assert set(debug) == {f"{HEADER}-Report-Only"}
    report_only = policy_of(debug[f"{HEADER}-Report-Only"])
    # The same policy, less frame-ancestors, which browsers ignore in a report-only header.
    assert report_only == {
        key: value for key, value in policy_of(production[HEADER]).items() if key != "frame-ancestors"
    }
