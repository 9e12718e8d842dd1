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

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
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
    "cac",
    "complaints",
    "callbacks",
    "prospects",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cac.sessions.SessionLifetimeMiddleware",
    "cac.two_factor.AdminTwoFactorMiddleware",
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
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Model choice fields (the handler and agent selects of the lists) read their options with .iterator(): with
    # server-side cursors that is DECLARE … WITH HOLD, FETCH and CLOSE for a few dozen rows. The code reads nothing
    # large that way, and a transaction-pooling proxy (PgBouncer) needs them off anyway.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
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
AXES_LOCKOUT_CALLABLE = "cac.login_security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cac.login_security.client_ip"
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

# --- Static and uploaded files --------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("CAC_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are never served by URL: a view checks who may read them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
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
    # Used one-time tokens of create forms are forgotten once they have expired (cac/once.py).
    "submit-tokens-sweep": {"task": "cac.submit_tokens_sweep", "schedule": crontab(minute=17)},
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

CAC_SMS_BACKEND = env.str("CAC_SMS_BACKEND", default="cac.deadlines.sms.LogSmsBackend")

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cac@localhost")

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed over plain HTTP inside the network
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Every handler masks phone numbers (cac/log_privacy.py): runserver's request lines are Django's `django.server`
# logger, given its own masked handler here; gunicorn's access log is masked by gunicorn.conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "cac.log_privacy.MaskPhoneNumbers"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["personal_data"]},
    },
    # Django's own loggers write through the masked handlers only (its default console and admin mails would not).
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
