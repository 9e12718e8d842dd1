"""Health probes for load balancers, compose and Kubernetes-style orchestrators.

- `/healthz/live`: the process answers. Nothing else is touched, so a slow database never gets a web worker
  restarted.
- `/healthz/ready`: the database answers, so this instance can serve. The broker is reported, but a broker that is
  down does not take the instance out of the load balancer: saving works without it (a failed enqueue is logged and
  the deadline sweep catches up from the database).
- `/healthz`: the readiness probe under its old address, with the same JSON keys as before.

They carry no customer data, so they are the views without a login.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down for us
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker_status() -> str:
    from cac.celery import app

    try:
        with app.connection_for_write() as conn:
            # One attempt, no back-off: a probe must answer within its own timeout.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means the broker is unreachable from here
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def live(request):
    """200 while the process serves requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    """200 when the database answers ("ok", or "degraded" when only the broker is down); 503 without the database."""
    status = {"database": _database_status(), "broker": _broker_status()}
    if status["database"] != "ok":
        status["status"] = "error"
    elif status["broker"] != "ok":
        status["status"] = "degraded"
    else:
        status["status"] = "ok"
    return JsonResponse(status, status=503 if status["status"] == "error" else 200)
