"""Settings for the CAC, read from the environment.

Defaults are safe for production (DEBUG off, secure cookies, SECRET_KEY required);
`make run` sets DJANGO_DEBUG=1 and falls back to SQLite and a file-system broker.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration as DjangoGuidCeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The production image sets CAC_PRODUCTION=1: there a stray DJANGO_DEBUG=1 (in an .env, say) stops the start
# instead of showing tracebacks and settings to anyone.
if DEBUG and env.bool("CAC_PRODUCTION", default=False):
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (CAC_PRODUCTION=1).")
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_guid",
    "csp",
    "cac",
    "complaints",
    "callbacks",
    "prospects",
    "reports",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: every line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cac.platform.observability.user_id_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cac.security.sessions.SessionLifetimeMiddleware",
    "cac.security.two_factor.AdminTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a refused login (locked out) into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cac.urls"
WSGI_APPLICATION = "cac.wsgi.application"
AUTH_USER_MODEL = "cac.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); without it, SQLite.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The covering indexes (INCLUDE) are PostgreSQL's; SQLite, the embedded default, builds them without the extra
# columns, which only makes them less fast, not wrong.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # DATABASE_POOL_MAX_SIZE > 0: each process keeps a pool of at most that many connections (psycopg 3's pool,
    # built into Django), shared by its threads; PostgreSQL then sees at most processes x that many. Off by default
    # (one persistent connection per thread, CONN_MAX_AGE), and for Celery's forked workers, which do not share.
    _pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if _pool_max > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django refuses both at once
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": _pool_max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),  # seconds a request waits for a connection
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Model choice fields (the handler and agent selects of the lists) read their options with .iterator(): with
    # server-side cursors that is DECLARE … WITH HOLD, FETCH and CLOSE for a few dozen rows. The code reads nothing
    # large that way, and a transaction-pooling proxy (PgBouncer) needs them off anyway.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # `make run`'s embedded default: the web and the worker's threads write at once. A transaction takes the write
    # lock when it begins and a writer waits for it, instead of failing with "database is locked" half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------
# For every password a person sets (createsuperuser, the admin, the reset and change forms). The demo users of
# seed_demo get their published password directly, and only with DEBUG on.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("CAC_PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "cac.platform.auth.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("CAC_PASSWORD_RESET_HOURS", default=2) * 3600

# --- Login throttling (django-axes) ------------------------------------------------------
# After CAC_LOGIN_FAILURE_LIMIT failures for one username from one address, that pair is refused for the cool-off.
# Every failure and lockout is logged (logger "axes") and kept (Access failures, Access attempts in the admin).
AXES_FAILURE_LIMIT = env.int("CAC_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CAC_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "cac.security.login_security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cac.security.login_security.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (docker-compose's: set it to 1). With 0
# the header is ignored and the client is the connection's address, so no client can pick its own address.
CAC_TRUSTED_PROXY_COUNT = env.int("CAC_TRUSTED_PROXY_COUNT", default=0)

# --- Sessions -------------------------------------------------------------------------
# Signed out after CAC_SESSION_IDLE_HOURS without a request (a shift), and CAC_SESSION_MAX_HOURS after signing in
# whatever happens; a password change signs out every other session of the user (Django's session auth hash).
CAC_SESSION_IDLE_SECONDS = int(env.float("CAC_SESSION_IDLE_HOURS", default=8) * 3600)
CAC_SESSION_MAX_SECONDS = int(env.float("CAC_SESSION_MAX_HOURS", default=12) * 3600)
SESSION_COOKIE_AGE = CAC_SESSION_IDLE_SECONDS

# --- Two-factor sign-in (django-otp, TOTP) for administrators ---------------------------------
# Superusers and the admin role confirm a TOTP device before /admin/ (and every path below) opens to them.
CAC_TWO_FACTOR_PATHS = ["/admin/"]
OTP_TOTP_ISSUER = env.str("CAC_TOTP_ISSUER", default="CAC")

# --- Languages and time -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("CAC_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cac.formats"]  # English dates in year-month-day order and the 24-hour clock

# --- Static and uploaded files --------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("CAC_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are never served by URL: a view checks who may read them.
# CAC_S3_BUCKET puts them in an S3-compatible bucket shared by every machine (cac/platform/object_storage.py); without it,
# on the local disk under CAC_MEDIA_ROOT, which is right for one machine (`make run`).
CAC_S3_BUCKET = env.str("CAC_S3_BUCKET", default="")
if CAC_S3_BUCKET:
    from cac.platform.object_storage import s3_storage

    _MEDIA_STORAGE = s3_storage(
        bucket=CAC_S3_BUCKET,
        endpoint_url=env.str("CAC_S3_ENDPOINT_URL", default=""),
        access_key=env.str("CAC_S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("CAC_S3_SECRET_ACCESS_KEY", default=""),
        region=env.str("CAC_S3_REGION", default=""),
        addressing_style=env.str("CAC_S3_ADDRESSING_STYLE", default="path"),
        location=env.str("CAC_S3_PREFIX", default=""),
    )
else:
    _MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": env.str(
            "CAC_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
RECORDING_MAX_BYTES = env.int("CAC_RECORDING_MAX_BYTES", default=20 * 1024 * 1024)

# --- History -----------------------------------------------------------------------
# The note a user writes on a step is kept whole in the history, not cut at 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Widgets render with Jinja2 where Django has a Jinja2 template (see cac/platform/form_renderer.py).
FORM_RENDERER = "cac.platform.form_renderer.WidgetRenderer"

# --- Celery -------------------------------------------------------------------
# REDIS_URL selects Redis; without it, kombu's file-system transport needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / ".broker")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The transport expects its folders to exist; a worker started by hand must find them too.
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CAC_REPORT_TIME_LIMIT = env.int("CAC_REPORT_TIME_LIMIT", default=10 * 60)  # seconds; a PDF of many dealers
CAC_IMPORT_TIME_LIMIT = env.int("CAC_IMPORT_TIME_LIMIT", default=15 * 60)  # seconds; 20,000 DMS rows
# Queues: the sweep never waits behind a PDF or an import. `make run` has one worker consume them all; production
# runs a worker for `deadlines` alone (docker-compose.yml).
# CAC_QUEUE_PREFIX lets two installations (or a test) share one Redis without taking each other's tasks.
CAC_QUEUES = {
    name: env.str("CAC_QUEUE_PREFIX", default="") + name for name in ("deadlines", "default", "reports", "imports")
}
CELERY_TASK_DEFAULT_QUEUE = CAC_QUEUES["default"]
CELERY_TASK_ROUTES = {
    "cac.sweep_deadlines": {"queue": CAC_QUEUES["deadlines"]},
    "cac.deadline_digest": {"queue": CAC_QUEUES["deadlines"]},
    "cac.tasks.heartbeat": {"queue": CAC_QUEUES["deadlines"]},
    "reports.*": {"queue": CAC_QUEUES["reports"]},
    "cac.dms_import": {"queue": CAC_QUEUES["imports"]},
    "cac.sms_deliver": {"queue": CAC_QUEUES["default"]},
}
# WeasyPrint and a 20,000-row import leave memory behind: a worker process is replaced after this many tasks.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long task does not hold messages another worker could take
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_BROKER_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "cac.tasks.heartbeat", "schedule": env.float("CAC_HEARTBEAT_SECONDS", default=60.0)},
    # Care calls (maintenance, insurance, warranty end, birthdays) and the 三包 watch, before the CAC opens.
    "care-callbacks": {"task": "callbacks.care_callbacks_daily", "schedule": crontab(hour=6, minute=0)},
    # The previous month's complaint analysis of every dealer, ready when the executives arrive on the 1st.
    "monthly-reports": {
        "task": "reports.monthly_reports_schedule",
        "schedule": crontab(hour=2, minute=0, day_of_month=1),
    },
    # The deadline engine: the database holds every deadline; this sweep acts on the due ones (cac/deadlines/engine.py).
    "sweep-deadlines": {"task": "cac.sweep_deadlines", "schedule": env.float("CAC_SWEEP_SECONDS", default=60.0)},
    "deadline-digest": {"task": "cac.deadline_digest", "schedule": crontab(hour=8, minute=30)},  # CELERY_TIMEZONE
    # Used one-time tokens of create forms are forgotten once they have expired (cac/security/once.py).
    "submit-tokens-sweep": {"task": "cac.submit_tokens_sweep", "schedule": crontab(minute=17)},
    # China's official calendar (holidays, 调休) of this year and the next, loaded once the library has them; in
    # December the administrators are warned while next year's is missing (cac/platform/state_calendar.py).
    "state-calendar": {"task": "cac.state_calendar_prepare", "schedule": crontab(hour=7, minute=15)},
}
# --- One submit, one record: how long a create form's one-time token lives (seconds) ---
SUBMIT_TOKEN_MAX_AGE = env.int("CAC_SUBMIT_TOKEN_MAX_AGE", default=24 * 60 * 60)

CAC_SWEEP_BATCH = env.int("CAC_SWEEP_BATCH", default=200)  # rows locked per transaction
CAC_SWEEP_BATCH_PAUSE = env.float("CAC_SWEEP_BATCH_PAUSE", default=0.0)  # seconds between batches, to throttle

# --- Contact attempts (seed 000): retry in another slot; unreachable after this many failed slots ---
CAC_CONTACT_SLOTS = [("morning", "08:00", "12:00"), ("afternoon", "12:00", "18:00"), ("evening", "18:00", "21:00")]
CAC_UNREACHABLE_AFTER_SLOTS = env.int("CAC_UNREACHABLE_AFTER_SLOTS", default=3)

# --- Care calls (customer care, seed 000): when the daily job offers a reminder ---
CAC_CARE_MAINTENANCE_MONTHS = env.int("CAC_CARE_MAINTENANCE_MONTHS", default=6)  # since the last service
CAC_CARE_MAINTENANCE_KM = env.int("CAC_CARE_MAINTENANCE_KM", default=5000)  # estimated since the last service
CAC_CARE_INSURANCE_DAYS_BEFORE = env.int("CAC_CARE_INSURANCE_DAYS_BEFORE", default=30)
CAC_CARE_WARRANTY_DAYS_BEFORE = env.int("CAC_CARE_WARRANTY_DAYS_BEFORE", default=30)

# --- 三包 watch (passenger-car 三包 rules, 2022): warn before a vehicle reaches a replacement/refund threshold ---
CAC_SANBAO_LIMIT_DAYS = 30  # cumulative workshop days "more than 30"
CAC_SANBAO_WARN_DAYS = env.int("CAC_SANBAO_WARN_DAYS", default=25)
CAC_SANBAO_LIMIT_SAME_FAULT = 4  # the same fault repaired "more than 4 times"
CAC_SANBAO_WARN_SAME_FAULT = env.int("CAC_SANBAO_WARN_SAME_FAULT", default=4)
CAC_SANBAO_LIMIT_SAFETY = 2  # a serious safety fault repaired twice and still not fixed
CAC_SANBAO_WARN_SAFETY = env.int("CAC_SANBAO_WARN_SAFETY", default=2)

# --- SMS (cac/deadlines/sms.py) -------------------------------------------------
# Without a gateway's credentials the messages go to the log. CAC_SMS_BACKEND names the backend outright; else
# the Alibaba Cloud one when CAC_SMS_ALIBABA_ACCESS_KEY_ID is set, the Tencent Cloud one when CAC_SMS_TENCENT_SECRET_ID
# and CAC_SMS_TENCENT_SDK_APP_ID are.
CAC_SMS_ALIBABA_ACCESS_KEY_ID = env.str("CAC_SMS_ALIBABA_ACCESS_KEY_ID", default="")
CAC_SMS_ALIBABA_ACCESS_KEY_SECRET = env.str("CAC_SMS_ALIBABA_ACCESS_KEY_SECRET", default="")
CAC_SMS_ALIBABA_ENDPOINT = env.str("CAC_SMS_ALIBABA_ENDPOINT", default="dysmsapi.aliyuncs.com")
CAC_SMS_TENCENT_SECRET_ID = env.str("CAC_SMS_TENCENT_SECRET_ID", default="")
CAC_SMS_TENCENT_SECRET_KEY = env.str("CAC_SMS_TENCENT_SECRET_KEY", default="")
CAC_SMS_TENCENT_SDK_APP_ID = env.str("CAC_SMS_TENCENT_SDK_APP_ID", default="")
CAC_SMS_TENCENT_REGION = env.str("CAC_SMS_TENCENT_REGION", default="ap-guangzhou")
CAC_SMS_TENCENT_ENDPOINT = env.str("CAC_SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
CAC_SMS_PROTOCOL = env.str("CAC_SMS_PROTOCOL", default="https")  # "http" only for a local fake gateway
CAC_SMS_TIMEOUT = env.float("CAC_SMS_TIMEOUT", default=10.0)  # seconds, connecting and reading
CAC_SMS_MAX_RETRIES = env.int("CAC_SMS_MAX_RETRIES", default=5)  # after 5xx, timeouts, refused connections
CAC_SMS_RETRY_BACKOFF = env.int("CAC_SMS_RETRY_BACKOFF", default=30)  # seconds, doubled at each retry, at most 1 h
# The delivery receipts' URLs (/sms/receipts/<vendor>/<token>/) carry this secret; derived from SECRET_KEY without it.
CAC_SMS_RECEIPT_SECRET = env.str("CAC_SMS_RECEIPT_SECRET", default="")
if CAC_SMS_ALIBABA_ACCESS_KEY_ID:
    _SMS_DEFAULT_BACKEND = "cac.deadlines.sms_gateways.AlibabaSmsBackend"
elif CAC_SMS_TENCENT_SECRET_ID and CAC_SMS_TENCENT_SDK_APP_ID:
    _SMS_DEFAULT_BACKEND = "cac.deadlines.sms_gateways.TencentSmsBackend"
else:
    _SMS_DEFAULT_BACKEND = "cac.deadlines.sms.LogSmsBackend"
CAC_SMS_BACKEND = env.str("CAC_SMS_BACKEND", default=_SMS_DEFAULT_BACKEND)

# --- E-mail -------------------------------------------------------------------
# EMAIL_URL configures SMTP in one value (django-environ): smtp://user:password@host:25, smtp+tls://…:587 or
# smtps://…:587 (STARTTLS), smtp+ssl://…:465 (TLS from the first byte); user and password URL-encoded. Without it,
# DJANGO_EMAIL_BACKEND, EMAIL_HOST and EMAIL_PORT as before.
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = _email["EMAIL_PORT"] or (465 if _email.get("EMAIL_USE_SSL") else 25)
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = env.str(
        "DJANGO_EMAIL_BACKEND",
        default="django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend",
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; a hung SMTP server must not hold a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cac@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The address users open the CAC at; every link in an e-mail is built on it (cac/platform/site.py).
CAC_SITE_URL = env.str(
    "CAC_SITE_URL",
    default=f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if ALLOWED_HOSTS and not DEBUG else "http://127.0.0.1:8000",
)

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]  # probed over plain HTTP inside the network
    # The proxy (deploy/Caddyfile) sets X-Forwarded-Proto over whatever a client sent; the web is reachable only
    # through it. It keeps the Host header, so X-Forwarded-Host is not needed unless a proxy rewrites Host.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("DJANGO_USE_X_FORWARDED_HOST", default=False)
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): scripts, styles, images, fonts, recordings and requests from this site only; no
# inline script, style attribute or eval (htmx runs with allowEval off, see base.html), no plugins, no framing, forms
# post only here. In DEBUG the same policy is sent report-only, so a violation shows in the browser's console
# without breaking the page; frame-ancestors is left out there, as browsers ignore it in a report-only policy
# (X-Frame-Options still refuses framing).
CAC_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],  # Bootstrap draws its icons (select arrows, close buttons) as data: SVG
    "font-src": ["'self'"],
    "media-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {key: value for key, value in CAC_CSP_DIRECTIVES.items() if key != "frame-ancestors"}
    }
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CAC_CSP_DIRECTIVES}

# --- Logs and errors -------------------------------------------------------------
# One JSON object per line (time, level, logger, message, request_id, user_id) for the log collector; plain text
# lines with the same fields in development (CAC_LOG_FORMAT=json|text).
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",  # taken from the proxy when it is a UUID, else made here; sent back
    "VALIDATE_GUID": True,
    "INTEGRATIONS": [DjangoGuidCeleryIntegration()],  # the id in the headers of the tasks a request enqueues
}
# Every handler masks phone numbers (cac/security/log_privacy.py): runserver's request lines are Django's `django.server`
# logger, given its own masked handler here; gunicorn's access log is masked by its configuration.
_LOG_FORMAT = env.str("CAC_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "cac.platform.observability.LogContextFilter"},
        "personal_data": {"()": "cac.security.log_privacy.MaskPhoneNumbers"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context", "personal_data"],
            "formatter": _LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own loggers write through the masked handler only (its default console and admin mails would not).
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # uvicorn (the events service) set up its own plain handlers before it loaded the app: replaced by ours.
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_guid": {"level": "WARNING"},  # it logs every id it sets at INFO
        "axes": {"level": "WARNING"},  # every sign-in at INFO; failures and lockouts go to cac.security
    },
}
# Workers log through the same configuration (cac/celery.py), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Sentry, or a self-hosted Sentry or GlitchTip (same protocol): off without a DSN.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from cac.platform.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("CAC_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Integration API (/api/v1/) -------------------------------------------------------
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ApiKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("API_THROTTLE_RATE", default="600/minute"),
        "cti_line": env.str("CTI_THROTTLE_RATE", default="1200/minute"),
    },
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CAC integration API",
    "DESCRIPTION": "Complaints and leads from the OEM CAC, calls from the phone system, customer look-up.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# The phone system: the screen pop's stream lives this long, polls this often; click to call posts to this URL.
CTI_STREAM_SECONDS = env.float("CTI_STREAM_SECONDS", default=25.0)
CTI_POLL_SECONDS = env.float("CTI_POLL_SECONDS", default=0.4)
CTI_RETRY_MS = 500
CTI_DIALER_URL = env.str("CTI_DIALER_URL", default="")  # the PBX's originate URL; none: no call buttons
CTI_DIALER_TIMEOUT = env.float("CTI_DIALER_TIMEOUT", default=5.0)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
API_SYNC_SETTLE_SECONDS = env.int("API_SYNC_SETTLE_SECONDS", default=2)  # see api.selectors.complaint_changes
OEM_WEBHOOK_TIMEOUT = env.float("OEM_WEBHOOK_TIMEOUT", default=10.0)  # seconds; a slower OEM is retried
OEM_REPORT_MAX_AGE_DAYS = env.int("OEM_REPORT_MAX_AGE_DAYS", default=30)  # complaints received before: no report
OEM_REPORT_STALE_SECONDS = 15 * 60  # a report still pending this long lost its task: it is sent again
CELERY_BEAT_SCHEDULE["oem-reports"] = {
    "task": "api.oem_reports_queue",
    "schedule": env.float("CAC_SWEEP_SECONDS", default=60.0),
}
