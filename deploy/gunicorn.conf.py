"""gunicorn for the CAC web (docker-compose.yml): `gunicorn -c deploy/gunicorn.conf.py cac.wsgi`."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A report or an import never runs in a request any more; a request past this is stuck, and its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # within the service's stop grace period
keepalive = 5
# Workers are replaced after about this many requests (jitter: not all at once), so that no slow leak grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
worker_tmp_dir = "/dev/shm"  # noqa: S108 - the heartbeat file in memory, off the container's overlay disk
accesslog = "-"
errorlog = "-"
# The proxy's address: only it may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
# The access log masks the phone numbers in query strings and headers (cac/security/log_privacy.py), as ./gunicorn.conf.py.
logger_class = "cac.security.log_privacy.GunicornLogger"
