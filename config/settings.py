"""Xianjie settings: one file, every value from the environment, strictly parsed.

Unset means the embedded default: SQLite in the project folder, the in-memory channel
layer, e-mail printed on the console.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
import redis.exceptions
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a known spelling is a start-up error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_email_url(name: str, raw: str) -> dict[str, Any]:
    """EMAIL_URL: console://, locmem://, dummy://, smtp://user:pass@host:port, smtp+tls://, smtps://."""
    parts = urlsplit(raw)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: unknown scheme {parts.scheme!r}; use one of {', '.join(sorted(backends))}."
        )
    config: dict[str, Any] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name}={raw!r}: an SMTP URL needs a host.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r}: the port is not a number.") from None
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+tls" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=parts.scheme == "smtp+tls",
            EMAIL_USE_SSL=parts.scheme == "smtps",
        )
    sender = parse_qs(parts.query).get("from")
    if sender:
        config["DEFAULT_FROM_EMAIL"] = sender[0]
    return config


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local work).")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105 - DEBUG only

# Key for the keyed hash of identity numbers (lookups without storing them in indexes in clear).
# Separate from SECRET_KEY so that rotating the session key does not orphan every lookup: in
# production it is required, as a silent fallback would tie every stored hash to SECRET_KEY.
ID_HASH_KEY = os.environ.get("ID_HASH_KEY", "")
if not ID_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ID_HASH_KEY must be set when DEBUG is off (the key of the ID-number lookup hash): a long random "
            "value apart from SECRET_KEY; an installation that ran without it used SECRET_KEY, so set it to "
            "that value or stored lookups stop matching (set DEBUG=1 for local work)."
        )
    ID_HASH_KEY = SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    # viewflow before the admin: its login and password templates win (Material frontend).
    "viewflow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_fsm",
    "viewflow.workflow",
    "channels",
    "django_celery_beat",
    "agencies",
    "accounts",
    "cases",
    "workflows",
    "notifications",
    "oversight",
    "certificates",
    "jobs",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: one over its endpoint's limit is refused with 413.
    "config.middleware.BodyLimitMiddleware",
    # A page asked for while the database is out of reach: 503 and "try again", not a 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL or another control character in the path, a query parameter or a web form: 400.
    "config.middleware.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    "accounts.otp.RequiredSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # viewflow's Material frontend: the site/app of each request, and Turbo-friendly form errors.
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # A page not found: the site's 404 page, never Django's technical one (DEBUG included).
    "config.middleware.NotFoundPageMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page or JSON.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context.xianjie",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DB_CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", 0)
# HTTP requests one web process runs at once; the rest wait in its event loop. Under ASGI every
# request in flight has a thread and a database connection of its own: unbounded, two hundred
# users made two workers hold 60 connections busy waiting on one core each (and PostgreSQL's 100
# ran out). WebSockets are not counted; their handshakes take the consumer's own thread.
WEB_REQUEST_SLOTS = envint("WEB_REQUEST_SLOTS", 8, minimum=1)
if DATABASE_URL:
    try:
        _db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE))
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} cannot be parsed: {exc}") from None
    if _db.get("ENGINE") not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(
            f"DATABASE_URL: engine {_db.get('ENGINE')!r} is not supported; use postgres:// or sqlite://."
        )
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "xianjie.sqlite3"}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so the web server and the
    # sweep queue up instead of failing with "database is locked" half-way through an action.
    _db.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # SQLite ignores the INCLUDE columns of the case list's covering index (models.W040); PostgreSQL,
    # the served database, uses them. On the embedded default the warning says nothing to act on.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
_db["ATOMIC_REQUESTS"] = False
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Each open WebSocket may hold a pooled connection while it waits: size the pool for
            # the connections one process serves (redis-py's default of 100 refuses the 101st).
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": envint("REDIS_MAX_CONNECTIONS", 2000, minimum=10),
                        # After a Redis restart a pooled connection is dead: retry on a new one at
                        # once instead of failing the first WebSocket that draws it.
                        "retry_on_error": [redis.exceptions.ConnectionError],
                        # A longer read timeout than redis-py's 5 s (channels-redis's blocking pop
                        # also waits 5 s, and a busy loop sometimes loses that race, dropping a
                        # socket's consumer) left event loops that async_to_sync closes waiting on
                        # their pooled connections: not set until that is solved.
                        "socket_connect_timeout": 5,
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery: work that outlives a request ---------------------------------------------------
# CELERY_BROKER_URL: redis://… or amqp://user:pass@host:5672// (RabbitMQ). Without one (the embedded
# default) every task runs in-process right after the commit that scheduled it, and what must be
# tried again (a failed e-mail) or resumed (an interrupted job) is picked up by the sweep loop.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL and urlsplit(CELERY_BROKER_URL).scheme not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r} must start with redis://, rediss://, amqp:// or amqps://."
    )
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True  # a job keeps its own result (jobs.Job); deliveries their status
# A task is acknowledged when it has finished, not when it starts: a worker killed half-way leaves
# the message to be delivered again, and every task is idempotent by its row (a delivery, a job).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "jobs"
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": "mail"},
    "jobs.tasks.*": {"queue": "jobs"},
    "oversight.tasks.*": {"queue": "sweep"},
}
# Redis redelivers an unacknowledged message after this long; a job's own heartbeat resumes it
# sooner (JOB_STALE_SECONDS). Longer than any single task runs between heartbeats.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Seconds between two sweeps that beat asks for. A sweep message not taken up within that time
# (every worker busy) is dropped: the next one does the same work, so they never pile up.
SWEEP_EVERY_SECONDS = envint("SWEEP_EVERY_SECONDS", 60, minimum=1)
# Yesterday's event chain digest is written here once a day by the sweep (worker or command).
DIGEST_DIR = os.environ.get("DIGEST_DIR", "")
CELERY_BEAT_SCHEDULE = {
    # Every missed deadline escalated once, the reminders, the digest (the sweep_deadlines command).
    "sweep-deadlines": {
        "task": "oversight.tasks.sweep_deadlines",
        "schedule": float(SWEEP_EVERY_SECONDS),
        "options": {"expire_seconds": SWEEP_EVERY_SECONDS},
    },
    # E-mails whose next try has come, and jobs whose worker stopped answering.
    "retry-deliveries": {"task": "notifications.tasks.retry_deliveries", "schedule": 60.0},
    "resume-jobs": {"task": "jobs.tasks.resume_stale_jobs", "schedule": 60.0},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A job whose worker has not reported for this long is taken up again (from its last checkpoint).
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 120, minimum=5)
# Roster files longer than this are verified as a job, not in the request.
ROSTER_JOB_ROWS = envint("ROSTER_JOB_ROWS", 500, minimum=1)
# An e-mail that could not be sent is tried again after 30 s, 1 min, 2 min, … (at most 2 h apart),
# and given up ("dead", listed in the admin) once its first try is this many hours old.
DELIVERY_RETRY_BASE_SECONDS = envint("DELIVERY_RETRY_BASE_SECONDS", 30, minimum=1)
DELIVERY_GIVE_UP_HOURS = envint("DELIVERY_GIVE_UP_HOURS", 24, minimum=1)

# --- Cache (rate limits of the public pages) -------------------------------------------------
# Shared through Redis when there is one, so that every ASGI process counts the same client.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "xianjie"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
PUBLIC_CHECKS_PER_HOUR = envint("PUBLIC_CHECKS_PER_HOUR", 30, minimum=1)
PUBLIC_TIPS_PER_HOUR = envint("PUBLIC_TIPS_PER_HOUR", 5, minimum=1)
PUBLIC_TRACKS_PER_HOUR = envint("PUBLIC_TRACKS_PER_HOUR", 60, minimum=1)  # tracking-code lookups per address
# The deploying authority, named in the header of the public pages (check, tip line, typical cases).
AUTHORITY_NAME = os.environ.get("AUTHORITY_NAME") or "广东省应急管理厅"
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_MB", 10, minimum=1) * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://localhost")  # console: DEBUG only
globals().update(parse_email_url("EMAIL_URL", EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", globals().get("DEFAULT_FROM_EMAIL", "xianjie@localhost"))

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Checked when a password is set or changed (not at login: the demo's password still works).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors see nothing.
GUARDIAN_MONKEY_PATCH_USER = False

# Sessions: with SESSION_IDLE_EXPIRY every request moves the expiry on, so SESSION_HOURS is the
# time without any request after which the user must log in again; without it, the time since login.
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_SAVE_EVERY_REQUEST = envbool("SESSION_IDLE_EXPIRY", True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# Login throttling (django-axes): failures counted per username and client address; after
# AXES_FAILURE_LIMIT of them that pair is refused for AXES_COOLOFF_MINUTES, counted from the last
# failure. Attempts while locked out do not extend the lock, so the page can say when to retry.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Behind reverse proxies, set TRUSTED_PROXY_COUNT to their number: the client's address is then
# read from X-Forwarded-For, counted from the right. Left at 0, every client counts as the proxy.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# Two-factor (django-otp, TOTP): optional for everyone; OTP_REQUIRED_ROLES (membership roles,
# and "staff" for admin users) must enrol and pass it at every login, on the web and for tokens.
OTP_REQUIRED_ROLES = envlist("OTP_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "Xianjie"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_PENDING_SECONDS = 300  # between the password and the code

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# --- Web pages ------------------------------------------------------------------------------
# Rows on one page of a paged list (templates/includes/pager.html says which page of how many).
LIST_PAGE_SIZE = 50

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    # Token first: an unauthenticated API call then gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    # drf-spectacular's, plus the 400/401/403/404/409 answers every view shares (documented).
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Xianjie API",
    "DESCRIPTION": "Work-safety case management and police referral (两法衔接), API v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "ReferralStatusEnum": "cases.models.ReferralStatus",
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "DocumentKindEnum": "cases.models.ReferralDocument.Kind",
        "PartyKindEnum": "cases.kinds.PartyKind",
        "FindingKindEnum": "cases.kinds.FindingKind",
        "ReferralKindEnum": "cases.kinds.ReferralKind",
        "ServiceMethodEnum": "cases.models.ServiceMethod",
        "RegionLevelEnum": "agencies.models.Region.Level",
        "ConflictCodeEnum": "core.api.schema.CONFLICT_CODES",
        "CampaignReturnKindEnum": "oversight.models.CampaignReturn.Kind",
        "ReturnRecordStatusEnum": "oversight.models.MonthlySubmission.Status",
        "ReturnStateEnum": "oversight.reports.STATUS_LABELS",
    },
}

# Deadline steps (workflows/steps.py) counted in working days instead of calendar days.
WORKING_DAY_STEPS = envlist("WORKING_DAY_STEPS", [])

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")


def _forbidden_without_traceback(record: logging.LogRecord) -> bool:
    """A 403 is an answer, not a fault: django.request logs its one line, without the traceback."""
    if getattr(record, "status_code", None) == 403:
        record.exc_info = None
        record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # django-axes: failures and lock-outs are warnings; its per-login chatter (INFO) is left out,
    # the admin's access log has every login.
    # django.db.backends and django.template at INFO whatever LOG_LEVEL says: at DEBUG they log
    # query parameters and a template's whole context, ID numbers included.
    "loggers": {
        # Django's own console handler (with DEBUG) would print each of its lines a second time
        # beside the root's: django's loggers only propagate to the root.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["forbidden_without_traceback"]},
        "django.db.backends": {"level": "INFO"},
        "django.template": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # Each task's "succeeded in …" line: useful in a worker's log, noise when tasks run
        # in-process beside the server (no broker), where the work already speaks for itself.
        "celery.app.trace": {"level": "INFO" if CELERY_BROKER_URL else "WARNING"},
    },
}

# --- Deployment hardening: `manage.py check --deploy` is clean with DEBUG off -----------------
# Content-Security-Policy (django-csp) on every response: scripts only from our own static files
# (the pages carry no inline script or handler); styles may be inline, as viewflow's Material
# frontend sets some; nothing may frame the pages; WebSockets go back to the same host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production behind a TLS-terminating proxy that sets X-Forwarded-Proto: plain HTTP is
# redirected to HTTPS, browsers are told to use nothing else (HSTS), cookies go over TLS only.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # The proxy's and the load balancer's health probe speaks plain HTTP to the process.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)

# --- API tokens and WebSocket origins (issue 17 §4–§6, §13) ----------------------------------
# API tokens are django-rest-knox's: hashed at rest, one per login (a per-device list), expiring
# TOKEN_TTL_HOURS after they were issued (a working day by default); all of a user's tokens are
# revoked when the password changes or the account is deactivated.
TOKEN_TTL_HOURS = envint("TOKEN_TTL_HOURS", 10, minimum=1)
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name, not a password
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
    # 40 hex characters (160 random bits), as the tokens before: clients that store them keep working.
    "AUTH_TOKEN_CHARACTER_LENGTH": 40,
}
# Origins (scheme://host[:port]) whose pages may open a WebSocket with the session cookie, besides
# the page's own origin (the Host it connected to). Defaults to CSRF_TRUSTED_ORIGINS (plus the
# local development server's origins when DEBUG is on).
WEBSOCKET_ALLOWED_ORIGINS = envlist(
    "WEBSOCKET_ALLOWED_ORIGINS",
    CSRF_TRUSTED_ORIGINS
    + (
        ["http://localhost", "http://127.0.0.1", "http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"]
        if DEBUG
        else []
    ),
)
# A user whose role requires two-factor authentication enrols only with a one-time code an
# administrator issued (admin or `manage.py issue_enrolment_code`); it expires after these hours.
OTP_ENROLMENT_CODE_HOURS = envint("OTP_ENROLMENT_CODE_HOURS", 72, minimum=1)
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Certificate verification: who may verify how much (issue 17, §1) and uploads that cannot
# hurt (§7). Quotas are counted in items (a roster of 300 rows costs 300), per calendar hour and
# day; an agency's quota is shared by all its staff.
VERIFY_ITEMS_PER_USER_HOUR = envint("VERIFY_ITEMS_PER_USER_HOUR", 10_000, minimum=1)
VERIFY_ITEMS_PER_USER_DAY = envint("VERIFY_ITEMS_PER_USER_DAY", 30_000, minimum=1)
VERIFY_ITEMS_PER_AGENCY_DAY = envint("VERIFY_ITEMS_PER_AGENCY_DAY", 100_000, minimum=1)
VERIFY_CASE_MAX_ITEMS = envint("VERIFY_CASE_MAX_ITEMS", 50, minimum=1)  # with a case: full statuses
# Full answers in cases, per user: an hour (four requests of 50) and a day.
VERIFY_CASE_ITEMS_PER_USER_HOUR = envint("VERIFY_CASE_ITEMS_PER_USER_HOUR", 200, minimum=1)
VERIFY_CASE_ITEMS_PER_USER_DAY = envint("VERIFY_CASE_ITEMS_PER_USER_DAY", 500, minimum=1)
# ROSTER_MAX_BYTES (ROSTER_MAX_MB) is set with the request body limits below.
ROSTER_MAX_UNPACKED_BYTES = envint("ROSTER_MAX_UNPACKED_MB", 20, minimum=1) * 1024 * 1024  # an XLSX's parts
IMPORT_MAX_BYTES = envint("IMPORT_MAX_MB", 2048, minimum=1) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_MB", 8192, minimum=1) * 1024 * 1024
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 5_000_000, minimum=1)

# --- Request body limits (config.middleware.BodyLimitMiddleware) -----------------------------
# The largest body each endpoint reads: a longer one is refused with 413 before anything parses
# it — before the CSRF check, the rate limits and authentication read it. A body sent without
# Content-Length (chunked) is read up to its limit and one byte more, never further. The first
# pattern that matches the path applies; every other path has REQUEST_BODY_MAX_BYTES (JSON API
# calls and web forms). An upload's limit is its file's limit plus room for the form around it.
REQUEST_BODY_MAX_BYTES = envint("REQUEST_BODY_MAX_KB", 1024, minimum=64) * 1024
ROSTER_MAX_BYTES = envint("ROSTER_MAX_MB", 5, minimum=1) * 1024 * 1024  # a roster file (XLSX/CSV)
SCAN_UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # oversight.reports.SCAN_MAX_BYTES: stamped scans, campaign returns
PUBLIC_FORM_MAX_BYTES = 64 * 1024  # the public check and tracking forms: a few short fields
_FORM_ROOM = 64 * 1024  # multipart boundaries and the text fields beside a file
REQUEST_BODY_LIMITS: list[tuple[str, int]] = [
    # The public tip: its text and its evidence files together within one evidence file's limit.
    (r"^/public/tip/$", EVIDENCE_MAX_BYTES + _FORM_ROOM),
    (r"^/public/", PUBLIC_FORM_MAX_BYTES),
    (r"^/api/v1/cases/\d+/evidence/$", EVIDENCE_MAX_BYTES + _FORM_ROOM),
    (r"^/cases/case/\d+/files/upload/$", EVIDENCE_MAX_BYTES + _FORM_ROOM),
    # The transmission (up to five uploads beside the case's files) and the police's 立案决定书.
    (r"^/referrals/referral/\d+/transmit/$", 5 * EVIDENCE_MAX_BYTES + _FORM_ROOM),
    (r"^/referrals/referral/\d+/accept/$", EVIDENCE_MAX_BYTES + _FORM_ROOM),
    (r"^/api/v1/referrals/\d+/actions/accept/$", EVIDENCE_MAX_BYTES + _FORM_ROOM),
    (r"^/certificates/roster/$", ROSTER_MAX_BYTES + _FORM_ROOM),
    # The certificate registry (certificates.import_views, RegistryImport): IMPORT_MAX_BYTES is its file's limit.
    (r"^/certificates/import/$", IMPORT_MAX_BYTES + _FORM_ROOM),
    (r"^/api/v1/certificates/imports/$", IMPORT_MAX_BYTES + _FORM_ROOM),
    # A verification batch as JSON: 10,000 number/name pairs are about 1 MB.
    (r"^/api/v1/certificates/verify/$", 4 * 1024 * 1024),
    (r"^/api/v1/reports/monthly/scan/$", SCAN_UPLOAD_MAX_BYTES + _FORM_ROOM),
    (r"^/api/v1/reports/returns/$", SCAN_UPLOAD_MAX_BYTES + _FORM_ROOM),
    (r"^/oversight/(monthly|returns)/", SCAN_UPLOAD_MAX_BYTES + _FORM_ROOM),
]
# Django's own ceiling on a body read whole (forms, JSON read through request.body): the largest
# limit above without a file, so it never refuses what the table lets through.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(REQUEST_BODY_MAX_BYTES, 4 * 1024 * 1024)
# Files above this are spooled to a temporary file, not held in memory (Django's default).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440

# --- Password reset, lock-out ceiling, API docs (issue 17 §11–13) ------------------------------
# The address the site is reached at: password-reset links point here, never at the Host header a
# request names. With DEBUG off it defaults to https:// and the first ALLOWED_HOSTS name.
_SITE_HOST = next((h for h in ALLOWED_HOSTS if h and h[0] not in ".*"), "")
SITE_URL = os.environ.get(
    "SITE_URL", "http://127.0.0.1:8000" if DEBUG else (f"https://{_SITE_HOST}" if _SITE_HOST else "")
).rstrip("/")
# Password-reset requests per hour from one client address, and for one e-mail address.
PASSWORD_RESETS_PER_HOUR = envint("PASSWORD_RESETS_PER_HOUR", 5, minimum=1)
# Beside the lock of one username from one address (AXES_FAILURE_LIMIT), a ceiling per account:
# this many failures of a username from any addresses within the cool-off lock the account.
AXES_ACCOUNT_FAILURE_LIMIT = envint("AXES_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
AXES_HANDLER = "accounts.lockout.AccountCeilingHandler"
# The OpenAPI schema and Swagger UI open to anyone (else logged-in users only): off unless DEBUG.
PUBLIC_API_DOCS = envbool("PUBLIC_API_DOCS", DEBUG)

# --- Search by ID number, access log (issue 17 §2, §10) ---------------------------------------
# Searches by ID number (or another identity document) one user may make per hour; past it, 429.
ID_SEARCHES_PER_USER_HOUR = envint("ID_SEARCHES_PER_USER_HOUR", 30, minimum=1)
# The served process's access log (daphne's runserver logs every request to this logger) prints
# paths without their query strings: a query may hold a name or an ID number.
LOGGING["filters"] = {
    "no_query_strings": {"()": "core.identity.NoQueryStrings"},
    "forbidden_without_traceback": {"()": lambda: _forbidden_without_traceback},
}
_LOGGERS = LOGGING["loggers"]
if isinstance(_LOGGERS, dict):
    _LOGGERS["django.channels.server"] = {"filters": ["no_query_strings"]}
    _LOGGERS["django.server"] = {"filters": ["no_query_strings"], "propagate": True}
