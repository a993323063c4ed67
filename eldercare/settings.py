"""Settings for the Wulong rural elderly-care system.

One module for every way the system runs. Everything that differs between the embedded demo
and production comes from the environment:

- ``DATABASE_URL``: default a SQLite file in the project (the embedded demo).
- ``CELERY_BROKER_URL``: default empty, and then Celery runs every task eagerly in-process.
- ``CACHE_URL``: ``redis://...`` for a shared cache; default a per-process memory cache.
- ``SECRET_KEY``: required when ``DEBUG`` is off; web, worker and beat refuse the demo key.
- ``DEBUG``, ``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS``.
- ``SESSION_HOURS``, ``SESSION_IDLE_MINUTES``: how long a login lasts at most, and idle.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# The demo key is public (it is in this file). The processes that serve — gunicorn/uvicorn
# (wsgi.py, asgi.py), the Celery worker and beat, runserver — refuse to start with it when DEBUG
# is off (eldercare/startup.py); management commands such as migrate still run without a key.
DEMO_SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEMO_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # django.contrib.staticfiles, collecting only the files the pages use
    "eldercare.staticfiles.StaticFilesConfig",
    # third party
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    # ours: the hierarchy at the ground, domain apps above it, faces on top; the demo's
    # generators and the load test beside the faces (no domain app imports either)
    "regions",
    "accounts",
    "seniors",
    "facilities",
    "volunteers",
    "coverage",
    "backups",
    "audit",
    "api",
    "dashboard",
    "demo",
    "loadtest",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # a NUL character or JSON nested too deeply: 400 before any view (eldercare/input.py)
    "eldercare.middleware.RefuseUnreadableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # one login budget per client address for every view that checks a password
    "accounts.throttling.LoginThrottleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # a session idle or older than its limit is ended before the view sees the user
    "accounts.session_limits.SessionLimitsMiddleware",
    "eldercare.middleware.PagesLoginRequiredMiddleware",
    # the view log of full personal numbers shown, and no-store for logged-in answers
    "audit.middleware.PersonalDataMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as django-axes asks: it turns a lockout into the lockout response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eldercare.urls"
WSGI_APPLICATION = "eldercare.wsgi.application"
ASGI_APPLICATION = "eldercare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.navigation.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'eldercare.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: a single file; make concurrent demo requests wait instead of fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users and authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # first, so that a locked-out username or address is refused before the password is tried
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's region with the user
    "accounts.backends.ModelBackendWithRegion",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins (web form, admin and the token endpoint) lock the username for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
# A username from one address: township offices share one public address, so locking the address
# alone would lock out a whole office, and locking the username alone would let anyone lock the
# bureau out from elsewhere; the per-address login throttle limits volume.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- Client addresses ---------------------------------------------------------------------------
# How many reverse proxies in front of gunicorn append to X-Forwarded-For. 0 (the default, and
# the compose stack, where gunicorn is reached directly): the address is the connection's
# (REMOTE_ADDR) and X-Forwarded-For is ignored. n: the n-th address from the right of
# X-Forwarded-For, the one the outermost trusted proxy saw. One rule (accounts/addresses.py) for
# the login throttles, the lockout (django-axes) and the audit log.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
# where collectstatic puts the files whitenoise serves when DEBUG is off
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Apache ECharts from npm (package-lock.json), installed by scripts/_env.sh and the Dockerfile
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: a view must be reached by a user with a role and a region.
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("LOGIN_THROTTLE_RATE", "30/min")},
    # the login throttle (accounts/throttling.py) keys by accounts.addresses.client_address; any
    # DRF throttle added later reads X-Forwarded-For the same way (DRF without NUM_PROXIES would
    # trust all of it)
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",  # a RecursionError is a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# API tokens (django-rest-knox): stored as SHA-512 digests, one per login (per phone), valid for
# API_TOKEN_HOURS (default 10: one working day, so a phone lost in the field holds no valid
# token by the evening; the owner or the bureau revoke one sooner at /api/v1/auth/tokens/).
# Sent as "Authorization: Token <token>", as the DRF tokens before them were.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=float(os.environ.get("API_TOKEN_HOURS", "10"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "武隆区农村养老服务管理系统 API",
    "DESCRIPTION": (
        "Rural elderly-care service system of Wulong district: regions, seniors, facilities, "
        "volunteers, time bank and coverage of the 2022 targets."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Barthel items share their sets of allowed scores: one enum per set
    "ENUM_NAME_OVERRIDES": {
        "BarthelScore0To5Enum": [(0, 0), (5, 5)],
        "BarthelScore0To10Enum": [(0, 0), (5, 5), (10, 10)],
        "BarthelScore0To15Enum": [(0, 0), (5, 5), (10, 10), (15, 15)],
    },
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if not CELERY_TASK_ALWAYS_EAGER else None
)
# a task whose worker died unacknowledged is delivered again after this many seconds (Redis).
# Kept at an hour: a task still running when it passes would be handed to a second worker. An
# import whose worker died is shown as failed long before, by the sweep of stopped imports
# (IMPORT_STALE_MINUTES); the message delivered again later finds it not waiting and does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_IMPORTS = ("eldercare.tasks",)  # the project's own tasks; apps' tasks are autodiscovered

# A full coverage run fanned out over the workers: one task per region of this level ("city",
# "district" or "township"), then the roll-up; empty: one task computes the whole run.
COVERAGE_FANOUT = os.environ.get("COVERAGE_FANOUT", "").strip().lower()
if COVERAGE_FANOUT not in {"", "city", "district", "township"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"COVERAGE_FANOUT={COVERAGE_FANOUT!r}: expected empty, city, district or township"
    )

# --- Excel import ---------------------------------------------------------------------------
# An uploaded workbook is refused before it is parsed when it unpacks to more than this or holds
# more rows.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
IMPORT_MAX_UNPACKED_MB = int(os.environ.get("IMPORT_MAX_UNPACKED_MB", "20"))
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", "100"))
# A file is parsed and checked in the request only when it is small in all three: rows, size
# uploaded and size unpacked (the template filled in on 2,000 rows: 194 KB, unpacking to
# 2.5 MB); any other file is kept and checked by a Celery task, and an import of more rows than
# IMPORT_ASYNC_ROWS is written by one.
IMPORT_ASYNC_ROWS = int(os.environ.get("IMPORT_ASYNC_ROWS", "2000"))
IMPORT_ASYNC_KB = int(os.environ.get("IMPORT_ASYNC_KB", "256"))
IMPORT_ASYNC_UNPACKED_MB = int(os.environ.get("IMPORT_ASYNC_UNPACKED_MB", "3"))
# A check or an import whose progress has not moved for this long is taken for stopped (its
# worker died) by the sweep below and shown as failed, with a retry.
IMPORT_STALE_MINUTES = int(os.environ.get("IMPORT_STALE_MINUTES", "15"))
CELERY_BEAT_SCHEDULE = {
    "seniors: sweep stopped imports": {
        "task": "seniors.sweep_stopped_imports",
        "schedule": datetime.timedelta(minutes=5),
    },
}

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A login lasts a working day at most, and ends after SESSION_IDLE_MINUTES without a request
# (accounts/session_limits.py checks both on the server).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "10")) * 3600)
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
# Sessions are read from the cache and written through to the database: a logged-in request
# reads no session row (the database keeps them when the cache is cleared or evicts them).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content security policy (django-csp): every script, style, font and image from this site
# (township offices have no internet, so nothing is loaded from elsewhere anyway); no inline
# scripts or handlers (data for charts comes as <script type="application/json">). Inline
# style attributes are allowed: ECharts' SVG and the progress bars set widths with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG and env_bool("HTTPS", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # plain http is redirected to https (the proxy says which it was); the container's own
    # health check calls /healthz over http inside the network and is not redirected
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # one handler for Django's messages too (its default adds a second in DEBUG)
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

# --- Demo -----------------------------------------------------------------------------------
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "eldercare-demo")
