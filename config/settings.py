"""Settings from the environment (12-factor).

DATABASE_URL  PostgreSQL URL; unset -> embedded PostgreSQL under .data/pg
REDIS_URL     Celery broker, result backend and cache; unset -> embedded Redis under .data/redis
SECRET_KEY    unset -> a key generated once in .data/secret_key; with DEBUG off a weak one stops the process
DEBUG         off unless DEBUG=true
ALLOWED_HOSTS
"""

import os
from pathlib import Path

from datetime import timedelta

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.secret_key import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)  # production-shaped unless asked for
SECRET_KEY = secret_key(os.environ.get("SECRET_KEY"), debug=DEBUG, key_file=BASE_DIR / ".data" / "secret_key")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "django_guid",
    "django_prometheus",
    "core",
    "customers",
    "credit",
    "arrears",
    "marketing",
    "enterprise",
    "retention",
    "webhooks",
    "workspace",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",
    "core.ops.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling first: a locked-out login never reaches the password
    "core.auth.OneQueryModelBackend",  # ModelBackend, with permissions and role read in one query
]

ROOT_URLCONF = "config.urls"
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
                "core.context_processors.navigation",
            ],
            # money, dates and code labels on every page without a {% load %} (core/templatetags/crm.py)
            "builtins": ["core.templatetags.crm"],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"

if os.environ.get("DATABASE_URL"):
    DATABASE_URL = os.environ["DATABASE_URL"]
else:
    from config.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
# A worker host cut off in the middle of a chunk leaves its transaction open; the server ends it after this long, so
# the chunk's claim is released and another worker redoes it. No request or chunk waits idle that long in a transaction.
# JIT off by default (DB_JIT=on to restore): its compile time (0.5-1 s) is spent on the pages' aggregates that the
# planner's cost estimates push over jit_above_cost at 1M customers, and halved the campaign review's segment pass.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c idle_in_transaction_session_timeout={os.environ.get('DB_IDLE_IN_TRANSACTION_TIMEOUT', '300s')} "
    f"-c jit={os.environ.get('DB_JIT', 'off')}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    REDIS_URL = os.environ["REDIS_URL"]
else:
    from config.embedded_redis import embedded_redis_url

    REDIS_URL = embedded_redis_url()
# Pages keep working while Redis is down (a miss instead of an error); fail fast rather than hang.
CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
                      "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}

AUTH_PASSWORD_VALIDATORS = [  # also for staff changing their own password (/password/)
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]  # one date format in both languages
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- security (`DEBUG=false manage.py check --deploy` is clean; tests/core/test_security.py) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # TLS ends at the proxy in front of gunicorn; probes and the metrics scraper call plain HTTP inside.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Content Security Policy: local assets only; inline scripts carry the request's nonce. Inline styles
# stay allowed: Swagger UI and Bootstrap components set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes): 5 failures for a username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False

# Who may read /metrics (core.ops.health.metrics_allowed): clients on these addresses or networks (comma-separated,
# e.g. 10.0.0.0/8), or anyone sending "Authorization: Bearer <METRICS_TOKEN>". Behind a proxy (X-Forwarded-For) the
# address counts only with METRICS_TRUST_PROXY on: then it is the client's address the proxy reports.
METRICS_ALLOWED_IPS = [a for a in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if a]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_TRUST_PROXY = env_bool("METRICS_TRUST_PROXY", False)

# Money and dates taken from outside (core.policies, core.api.fields): the largest amount per operation (CNY), how
# old a reported event may be, and how far ahead of our clock a sender's clock may run.
MONEY_MAXIMUM = {"payment": "100000.00", "bill": "100000.00", "sp_charge": "100000.00", "usage": "100000.00",
                 "waiver": "100000.00", "promise": "100000.00", "extended_credit": "10000.00",
                 "credit_limit": "10000.00", "retention_offer": "10000.00", "campaign": "100000.00",
                 "early_exit_fee": "100000.00"}
INTAKE_MAX_AGE_DAYS = 3 * 366
INTAKE_CLOCK_SKEW_SECONDS = 300

# Request ids: taken from X-Request-ID (the proxy's) or made, returned in the response, put on every log line.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": False, "RETURN_HEADER": True,
               "EXPOSE_HEADER": True}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # JSON only: the API's bodies are JSON (a form or multipart body cannot carry its nested items), and so the
    # schema documents no other media type (issue 20).
    "DEFAULT_PARSER_CLASSES": ["core.api.json.JSONParser"],
    # DRF's JSON through msgspec and orjson, DRF's own classes where they would differ (core/api/json.py)
    "DEFAULT_RENDERER_CLASSES": ["core.api.json.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Telecom Customer & Credit CRM API",
    "DESCRIPTION": "Customers, lines and credit status for staff and the billing system.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation's error responses in the one error shape, JSON-only bodies (core/api/schema.py)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.document_errors"],
    # The inputs' code lists (issue 13) by their own names, not "Kind25bEnum".
    "ENUM_NAME_OVERRIDES": {"KindEnum": "enterprise.choices.InteractionKind",  # their names before they came
                            "ChannelEnum": ["counter", "hotline", "app", "sms", "account_manager"],
                            **{f"{name}Enum": f"customers.choices.{name}" for name in (
                                "CareContactKind", "CareChannel", "CareOutcome", "ContractType", "HeldServiceCode",
                                "PaymentMethodCode")}},
}

CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a chunk whose worker dies is redelivered
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds only the chunk it works on; the others stay for other hosts
# Two queues: the web tier's and the scheduler's short tasks never wait behind a province batch's chunks (#19).
CELERY_TASK_DEFAULT_QUEUE = "short"
CELERY_TASK_ROUTES = {"core.tasks.run_batch_chunk": {"queue": "batch"}}
# A running batch with no chunk done for this long has its unclaimed chunks sent again (core.tasks.resume_stalled_runs).
BATCH_STALL_SECONDS = int(os.environ.get("BATCH_STALL_SECONDS", 120))
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Structured logs: JSON lines (LOG_FORMAT=text for a terminal), each with the request id, personal data masked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "personal_data": {"()": "core.ops.logging.PersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger",
                                   "correlation_id": "request_id"}},
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id", "personal_data"],
                             "formatter": "text" if os.environ.get("LOG_FORMAT") == "text" else "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "django.server": {"level": "WARNING"},  # the request log says it, structured
                "django_guid": {"level": "WARNING"},
                "axes": {"level": "WARNING"},  # lock-outs are warnings; each successful login is not news
                "crm.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")}},
}
