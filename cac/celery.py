"""The Celery application: `celery -A cac worker` and `celery -A cac beat`."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings")

app = Celery("cac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def configure_worker_logging(**kwargs) -> None:
    """Workers and beat log as the web does (settings.LOGGING: JSON lines with the request id)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
