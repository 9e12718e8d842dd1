"""Shared fixtures. Tests that need PostgreSQL, Redis or Chromium skip with a reason when it is missing,
and fail instead when CI asks for them (REQUIRE_SERVICES=1, REQUIRE_BROWSER=1).

`--clock=night` (or CAC_TEST_CLOCK=night) starts every test at 23:30 Asia/Shanghai of the current Shanghai day,
`--clock=early` at 03:00 (the Shanghai date is a day ahead of the UTC date), `--clock=2027-01-01T00:30` at that
Shanghai moment; the clock ticks on from there. A test that pins its own clock with time-machine still does. Tests
marked `real_clock` keep the wall clock: they start Celery workers in other processes, which time-machine cannot
move, and compare what those processes did with the test's own clock."""

import os
import shutil
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group

from cac.roles import ROLE_PERMISSIONS, sync_roles
from tests.cac.factories import DealerFactory, UserFactory

# Django's live server runs beside Playwright's event loop in the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def missing(what: str, *, flag: str) -> None:
    """Skip with a reason, or fail when CI requires the missing component."""
    if _flag(flag):
        pytest.fail(f"{what} ({flag}=1 requires it)")
    pytest.skip(what)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture
def postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...", flag="REQUIRE_SERVICES")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0", flag="REQUIRE_SERVICES")
    return url


# --- The clock ----------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAMED_CLOCKS = {"night": time(23, 30), "early": time(3, 0)}


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("CAC_TEST_CLOCK", ""),
        help="start every test at this Shanghai clock, ticking: night (23:30), early (03:00) or YYYY-MM-DDTHH:MM",
    )


def test_clock_start(value: str) -> datetime | None:
    """The moment `--clock` names, in Asia/Shanghai; None for the wall clock."""
    if not value:
        return None
    if value in NAMED_CLOCKS:
        return datetime.combine(datetime.now(SHANGHAI).date(), NAMED_CLOCKS[value], tzinfo=SHANGHAI)
    try:
        return datetime.fromisoformat(value).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise pytest.UsageError(f"--clock={value}: use night, early or YYYY-MM-DDTHH:MM") from None


@pytest.fixture(scope="module", autouse=True)
def _module_clock(request):
    """The data of module-scoped fixtures is made at the test clock too, so that the tests find it as it would be."""
    start = test_clock_start(request.config.getoption("--clock"))
    if start is None:
        yield None
        return
    with time_machine.travel(start, tick=True):
        yield start


@pytest.fixture(autouse=True)
def _test_clock(request, _module_clock):
    """Autouse, so that it starts before the fixtures that make the test's rows; each test starts at the clock."""
    if _module_clock is None:
        yield None
        return
    start = _module_clock
    if request.node.get_closest_marker("real_clock"):
        start = datetime.fromtimestamp(time_machine.escape_hatch.time.time(), tz=SHANGHAI)
    with time_machine.travel(start, tick=True):
        yield start


# --- Roles and users --------------------------------------------------------------------------


@pytest.fixture
def dealer(db):
    return DealerFactory(code="GZ01", name="广州天河")


@pytest.fixture
def other_dealer(db):
    return DealerFactory(code="SZ02", name="深圳南山")


@pytest.fixture
def roles(db):
    """The role groups; recreated because transactional tests flush the migration's rows."""
    if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() != len(ROLE_PERMISSIONS):
        sync_roles()


@pytest.fixture
def make_user(roles):
    def make(role: str, *dealers, **fields):
        user = UserFactory(
            username=fields.pop("username", f"{role}-{UserFactory._meta.model.objects.count()}"), **fields
        )
        user.groups.add(Group.objects.get(name=role))
        user.dealers.add(*dealers)
        return user

    return make


@pytest.fixture
def agent(make_user, dealer):
    return make_user("agent", dealer, username="agent", first_name="芳", last_name="王")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def other_agent(make_user, other_dealer):
    """An agent of the other dealer: must never see the first dealer's rows."""
    return make_user("agent", other_dealer, username="other-agent", first_name="伟", last_name="李")


def verify_two_factor(client, user) -> None:
    """Mark a logged-in client's session as verified with a confirmed TOTP device, as the two-factor page does
    (tests/cac/security/test_two_factor.py goes through that page with real codes)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, with its second factor verified (the administration requires it)."""
    client.force_login(admin_user)
    verify_two_factor(client, admin_user)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files (call recordings) go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


# Reports every violation of the Content-Security-Policy (enforced or report-only) to the test, on every page the
# test opens; Playwright's init scripts and bindings are not subject to the page's policy.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(`${event.disposition} ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber} ${event.sample || ""}`);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The violations of the Content-Security-Policy the browser saw; the `page` fixture fails the test on any."""
    return []


@pytest.fixture
def page(page, csp_violations):
    """pytest-playwright's page, watched: the test fails at teardown when the browser saw a CSP violation."""

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    page.expose_function("__cspViolation", lambda text: csp_violations.append(text))
    page.add_init_script(_REPORT_CSP_VIOLATIONS)
    page.on("console", on_console)
    yield page
    page.close()
    _end_live_server_connections()
    if csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(csp_violations)))


def _end_live_server_connections() -> None:
    """The live server's request threads outlive the page: a screen-pop stream polls on until its next write fails.
    Their connections are ended before the test database is flushed, so that no poll takes a table lock the flush's
    TRUNCATE waits for (a deadlock PostgreSQL resolves by failing one side). The streams end quietly on it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(config, items):
    if chromium_path() is not None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(
                pytest.mark.skip(reason="Chromium not found: install Debian's chromium to run browser tests")
            )


def pytest_sessionstart(session):
    if _flag("REQUIRE_BROWSER") and chromium_path() is None:
        raise pytest.UsageError("REQUIRE_BROWSER=1 but no Chromium was found (install Debian's chromium).")


# --- S3-compatible storage (SeaweedFS) ------------------------------------------------------------------

from tests.s3_server import s3_media, s3_server  # noqa: E402, F401 - fixtures
