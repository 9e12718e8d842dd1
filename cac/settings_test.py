"""Settings for the test suite: production defaults, with fast hashing and local mail."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "0")

from cac.settings import *  # noqa: E402,F403
from cac.settings import _MEDIA_STORAGE, BASE_DIR  # noqa: E402

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The live server used by browser tests serves static files from the finders.
STORAGES = {
    "default": _MEDIA_STORAGE,  # the local disk, or the bucket when CAC_S3_BUCKET is set
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
CELERY_TASK_ALWAYS_EAGER = False
# A worker started by a test may be given a real backend pointed at the fake gateway (tests/sms_gateway.py).
CAC_SMS_BACKEND = os.environ.get("CAC_TEST_SMS_BACKEND", "cac.deadlines.sms.MemorySmsBackend")
