"""The Celery application: `celery -A cac worker` and `celery -A cac beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings")

app = Celery("cac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
