"""The deployment files stay valid and production settings pass Django's deployment checks."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_ENV = {
    "DJANGO_SECRET_KEY": "compose-check",
    "POSTGRES_PASSWORD": "compose-check",
    "REDIS_PASSWORD": "compose-check",
    "CAC_S3_SECRET_ACCESS_KEY": "compose-check",
}


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_docker_compose_file_is_valid():
    command = _compose_command()
    if command is None:
        from tests.conftest import missing

        missing("needs docker-compose (Debian's package) to validate docker-compose.yml", flag="REQUIRE_SERVICES")
    result = subprocess.run(
        [*command, "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        [*command, "-f", "docker-compose.yml", "config", "--services"],
        cwd=ROOT,
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(services) == {
        *("postgres", "redis", "minio", "minio-bucket", "migrate", "web", "worker-deadlines", "worker", "beat"),
        *("events", "proxy", "backup"),
    }
    config = subprocess.run(
        [*command, "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import yaml

    compose = yaml.safe_load(config)["services"]
    one_offs = {"migrate", "minio-bucket"}
    for name, service in compose.items():
        assert name in one_offs or "healthcheck" in service, f"{name} has no healthcheck"
        assert name in one_offs or "stop_grace_period" in service, f"{name} has no stop grace period"
    assert compose["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" not in " ".join(compose["web"]["command"])
    assert compose["worker-deadlines"]["command"][4:6] == ["-Q", "deadlines"]
    assert "deadlines" not in compose["worker"]["command"][5]
    assert any(volume.endswith(":/beat") or "/beat" in str(volume) for volume in compose["beat"]["volumes"])
    assert "--requirepass" in compose["redis"]["command"]
    assert "DJANGO_DEBUG" not in compose["web"]["environment"]
    # The screen pop's stream: the same image under uvicorn, with its own pool, before the proxy starts.
    events = compose["events"]
    assert events["image"] == compose["web"]["image"] and events["command"][:2] == ["uvicorn", "cac.asgi:application"]
    assert int(events["environment"]["DATABASE_POOL_MAX_SIZE"]) > 0
    assert events["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["proxy"]["depends_on"]["events"]["condition"] == "service_healthy"
    assert "events" in events["environment"]["DJANGO_ALLOWED_HOSTS"].split(",")  # the proxy's health checks


def test_the_events_command_is_one_uvicorn_accepts():
    """The options of the events service, read by uvicorn's own command line (nothing is started)."""
    import yaml
    from uvicorn.main import main

    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["events"]["command"]
    context = main.make_context("uvicorn", command[1:])
    assert context.params["app"] == "cac.asgi:application"
    assert (context.params["port"], context.params["workers"], context.params["lifespan"]) == (8000, None, "off")
    assert context.params["proxy_headers"] and context.params["forwarded_allow_ips"] == "*"


def _caddy_routes() -> list[dict]:
    """deploy/Caddyfile adapted to Caddy's JSON by Caddy itself (offline: nothing is started): the site's routes."""
    if not shutil.which("caddy"):
        from tests.conftest import missing

        missing("needs caddy (Debian's package) to read deploy/Caddyfile", flag="REQUIRE_SERVICES")
    result = subprocess.run(
        ["caddy", "adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env={**os.environ, "CAC_DOMAIN": "cac.example.com", "CAC_TLS": "internal"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    import json

    [site] = json.loads(result.stdout)["apps"]["http"]["servers"]["srv0"]["routes"]
    assert site["match"] == [{"host": ["cac.example.com"]}]
    [subroute] = site["handle"]
    return subroute["routes"]


def _handlers(route: dict) -> list[dict]:
    """The handlers a route runs, through the subroutes `handle` blocks make."""
    found = []
    for handler in route["handle"]:
        if handler["handler"] == "subroute":
            for inner in handler["routes"]:
                found += _handlers(inner)
        else:
            found.append(handler)
    return found


def test_the_proxy_sends_the_screen_pop_stream_to_events_unbuffered_and_the_rest_to_web():
    routes = _caddy_routes()
    streams = [route for route in routes if route.get("match") == [{"path": ["/calls/ringing/*"]}]]
    [stream] = streams
    [proxy] = _handlers(stream)  # no compression on the way: each event goes out as it comes
    assert proxy["handler"] == "reverse_proxy" and proxy["upstreams"] == [{"dial": "events:8000"}]
    assert proxy["flush_interval"] == -1
    assert proxy["health_checks"]["active"]["uri"] == "/healthz/ready"
    assert proxy["headers"]["request"]["set"]["X-Forwarded-Proto"] == ["{http.request.scheme}"]
    # Everything else, compressed, to the gunicorn workers of web; the stream's route is tried first (one group).
    [rest] = [route for route in routes if "match" not in route and route.get("group") == stream["group"]]
    assert routes.index(stream) < routes.index(rest)
    handlers = {handler["handler"]: handler for handler in _handlers(rest)}
    assert set(handlers) == {"encode", "reverse_proxy"}
    assert handlers["reverse_proxy"]["upstreams"] == [{"dial": "web:8000"}]
    assert "flush_interval" not in handlers["reverse_proxy"]
    assert [route for route in routes if "group" not in route] == [
        {"handle": [{"handler": "request_body", "max_size": 40000000}]}
    ]


def test_production_settings_pass_check_deploy():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CAC_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cac.settings",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789-abcdef",
            "DJANGO_ALLOWED_HOSTS": "cac.example.com",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "cac.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["0", ""])
def test_seed_demo_refuses_without_debug(debug):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "cac.settings", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_DEBUG": debug})
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_image_refuses_debug():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CAC_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cac.settings",
            "DJANGO_DEBUG": "1",
            "CAC_PRODUCTION": "1",
            "DJANGO_SECRET_KEY": "x" * 60,
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off in production" in result.stderr
    assert "CAC_PRODUCTION=1" in (ROOT / "Dockerfile").read_text()


def test_the_image_leaves_out_secrets_local_data_and_tools():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "db.sqlite3", "media/", ".git", ".broker/", "test-artifacts/"} <= ignored


# --- Backup and restore -----------------------------------------------------------------------------------------


def _url(name: str) -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database(postgres, tmp_path, dealer, agent):
    """deploy/backup.sh dumps the database as the backup service does; deploy/restore.sh loads the dump into an
    empty database, which then holds the same rows."""
    import psycopg
    from django.db import connection

    from tests.cac.factories import CallLogFactory, CustomerFactory
    from tests.conftest import missing

    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        missing("needs pg_dump and pg_restore (postgresql-client)", flag="REQUIRE_SERVICES")
    for n in range(3):
        CallLogFactory(customer=CustomerFactory(dealer=dealer, name=f"客户{n}"), handled_by=agent)
    source = connection.settings_dict["NAME"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAC_S3_")}
    env.update(DATABASE_URL=_url(source), BACKUP_DIR=str(tmp_path))
    backup = subprocess.run(["deploy/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert backup.returncode == 0, backup.stderr
    (dump,) = (tmp_path / "db").glob("cac-*.dump")

    target = f"{source}_restore"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        env["DATABASE_URL"] = _url(target)
        restore = subprocess.run(
            ["deploy/restore.sh", str(dump)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert restore.returncode == 0, restore.stderr
        tables = ["cac_dealer", "cac_user", "cac_customer", "cac_calllog", "django_migrations", "auth_group"]
        counts = {}
        for name in (source, target):
            with psycopg.connect(_url(name)) as db:
                counts[name] = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
        assert counts[target] == counts[source]
        assert counts[target]["cac_customer"] == 3 and counts[target]["django_migrations"] > 10
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_the_gunicorn_configuration_loads():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cac.settings_test", "GUNICORN_WORKERS": "2"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "--print-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "cac.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = {
        key.strip(): value.strip() for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert (printed["workers"], printed["timeout"], printed["max_requests"]) == ("2", "60", "1000")
    assert printed["max_requests_jitter"] == "100"
