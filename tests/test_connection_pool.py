"""PostgreSQL through psycopg 3 and Django's connection pool: many threads of one process share at most
DATABASE_POOL_MAX_SIZE connections, and server-side cursors stay off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import threading
import django
django.setup()
from django.db import connection, connections
from cac.models import Dealer

settings = connection.settings_dict
assert settings["OPTIONS"]["pool"]["max_size"] == 2, settings["OPTIONS"]
assert settings["DISABLE_SERVER_SIDE_CURSORS"] is True
pids = set()
lock = threading.Lock()

def work():
    for _ in range(5):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        list(Dealer.objects.all()[:1])
        with lock:
            pids.add(pid)
        connections.close_all()  # what Django does at the end of each request: back to the pool

threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(connection.pool.get_stats()["pool_max"], len(pids))
"""


@pytest.mark.django_db
def test_threads_share_the_pools_connections(postgres):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="cac.settings_test", DATABASE_URL=url, DATABASE_POOL_MAX_SIZE="2")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pool_max, backends = map(int, result.stdout.split())
    assert pool_max == 2
    assert 1 <= backends <= 2  # 8 threads, 40 requests' worth of queries, at most 2 connections


def test_the_driver_is_psycopg_3(postgres):
    import psycopg

    assert connection.vendor == "postgresql"
    assert connection.Database is psycopg
