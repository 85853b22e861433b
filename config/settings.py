"""Settings read from the environment, with safe defaults for development.

Production: DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL) set in the
environment; see README.md, "Configuration".
"""

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Daphne first: its `runserver` serves the ASGI application (config/asgi.py), which the live
    # board's event stream needs (docs/deployment.md, "ASGI").
    "daphne",
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    # Our apps come before import_export, whose `import` command core's all-or-nothing one
    # replaces, and before django.contrib.admin and simple_history, whose templates core's
    # override.
    "core",
    "statuscodes",
    "agents",
    "reports",
    "feed",
    "schedules",
    # Django's admin with the project's site (branding, the home grouped by task).
    "core.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Its `unaccent` transform: the admin's accent-insensitive search (core/search.py).
    "django.contrib.postgres",
    "import_export",
    "simple_history",
    "django_tables2",
    "django_filters",
    "ninja",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before WhiteNoise: its files sent without blocking the ASGI server's synchronous thread.
    "core.middleware.AsyncFileResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A write that waited too long for a history import's lock: a 503 page, not a 500.
    "core.middleware.DatabaseBusyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Every template is in an app: `core/templates/` (base, login, admin overrides) and
        # `<app>/templates/<app>/`.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # `doors`: the console, reports and admin links the user may follow.
                "core.doors.doors",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Who passes each door of the site, by the rule of the app behind it (core/doors.py): the header
# shows only these links, and the home page and the error pages lead to the user's own door.
DOORS = {
    "console": "agents.selectors.user_is_agent",
    "reports": "reports.selectors.scope.user_can_view_reports",
}

# The app is served over ASGI (the live board's stream), where each request runs in a thread of
# its own: a persistent connection would stay open after it, unused, so connections are closed
# at the end of each request (CONN_MAX_AGE=0, as Django advises under ASGI). DATABASE_POOL=true
# keeps a pool of PostgreSQL connections per process instead (psycopg's pool, docs/deployment.md).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0 if DATABASE_POOL else int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASE_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while one writer works; a writer waits instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            # Take the write lock when a transaction begins, so that two writers queue instead
            # of failing on a lock upgrade: this is what serializes an agent's changes on SQLite.
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# SQLite has no covering indexes (INCLUDE columns): there the index is built without them,
# which is what it needs (agents.StatusEvent's window index, docs/performance.md).
SILENCED_SYSTEM_CHECKS = ["models.W040"]


# How long a live status change waits for the agent's lock (seconds) before it is refused with
# `agent_locked` (HTTP 503): a history import holds its agents' locks until it commits, and a
# request must not occupy a worker for that long (docs/history-import.md).
AGENT_LOCK_TIMEOUT = float(os.environ.get("AGENT_LOCK_TIMEOUT", "2"))

# The background worker (Celery, docs/worker.md). Development default: kombu's filesystem
# transport under var/broker/ (no server to run); production: Redis or RabbitMQ, e.g.
# CELERY_BROKER_URL=redis://localhost:6379/0 (docs/deployment.md).
VAR_DIR = BASE_DIR / "var"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "broker"))
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # The exchange tables too (kombu's default is ./control, in whatever directory the
        # process started in).
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
# Tasks return nothing worth keeping: what they do is in the database.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it has finished, and given back to the broker if its worker dies:
# a worker killed mid-task leaves the task to run again (each agent's change is one transaction,
# so nothing is half-written).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The periodic sweep that fires every due timer (automatic returns, safety nets). A timer ends
# its interval at the instant it was due whenever the sweep runs; the period only bounds how
# long the change takes to show.
TIMER_SWEEP_SECONDS = float(os.environ.get("TIMER_SWEEP_SECONDS", "5"))
# The periodic sweep of the event feed's due deliveries: how late a delivery can start when the
# wake-up after its commit was lost (feed/wake.py).
WEBHOOKS_SWEEP_SECONDS = float(os.environ.get("WEBHOOKS_SWEEP_SECONDS", "5"))
CELERY_BEAT_SCHEDULE = {
    "fire-due-timers": {
        "task": "agents.fire_due_timers",
        "schedule": TIMER_SWEEP_SECONDS,
        # A sweep that waited longer than its period is superseded by the next one.
        "options": {"expires": TIMER_SWEEP_SECONDS},
    },
    # Deliveries that are due (new ones whose wake-up was lost, retries): docs/integrations.md.
    "feed-deliver-due": {
        "task": "feed.tasks.deliver_due",
        "schedule": WEBHOOKS_SWEEP_SECONDS,
        "options": {"expires": WEBHOOKS_SWEEP_SECONDS},
    },
    # Scheduled reports whose send time has come (docs/scheduled-reports.md). Send times are
    # minutes: a sweep every minute sends each within the minute.
    "schedules-send-due": {
        "task": "schedules.tasks.send_due_reports",
        "schedule": float(os.environ.get("REPORTS_SWEEP_SECONDS", "60")),
        "options": {"expires": float(os.environ.get("REPORTS_SWEEP_SECONDS", "60"))},
    },
    # Whole past days summed into the daily rollup that time by code reads (docs/rollup.md):
    # a day is rolled a few minutes after its last break ends.
    "reports-roll-up": {
        "task": "reports.tasks.roll_up",
        "schedule": float(os.environ.get("ROLLUP_SWEEP_SECONDS", "300")),
        "options": {"expires": float(os.environ.get("ROLLUP_SWEEP_SECONDS", "300"))},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule")
)

# The live board's pushed changes (reports/live_push.py, django-eventstream). Readers listen to
# their own channel only, as reports/selectors/scope.py decides.
EVENTSTREAM_CHANNELMANAGER_CLASS = "reports.live_push.ReaderChannelManager"
# Changes made in another process (another web worker, the Celery worker's timers) reach the
# boards through Redis pub/sub: LIVE_PUSH_REDIS_URL, or else the broker when it is Redis. Without
# it (`make run`), a board hears of the changes of the process that serves it, and refreshes
# every 15 seconds for the rest.
LIVE_PUSH_REDIS_URL = os.environ.get("LIVE_PUSH_REDIS_URL", "") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if LIVE_PUSH_REDIS_URL:
    from redis.connection import parse_url as _parse_redis_url

    # The keyword arguments of redis.Redis (django-eventstream builds a client from them, sync
    # and asyncio alike): host, port, db, username, password; TLS for rediss://.
    EVENTSTREAM_REDIS = {
        key: value
        for key, value in _parse_redis_url(LIVE_PUSH_REDIS_URL).items()
        if key != "connection_class"
    }
    if LIVE_PUSH_REDIS_URL.startswith("rediss://"):
        EVENTSTREAM_REDIS["ssl"] = True
    # A Redis that cannot be reached fails a publication quickly (logged; the change itself is
    # committed) instead of holding the request. No read timeout: the web processes' subscription
    # waits for messages as long as none come.
    EVENTSTREAM_REDIS["socket_connect_timeout"] = 2

# Optional read replica for the reports (see reports/routers.py and docs/deployment.md).
if os.environ.get("REPORTS_DATABASE_URL"):
    DATABASES["reports"] = dj_database_url.parse(
        os.environ["REPORTS_DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
    # Under the test runner the replica is the primary itself.
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["reports.routers.ReportsReplicaRouter"]

# PostgreSQL without JIT compilation: on this app's queries it costs more than it saves (a
# rejections report page: 0.6 s with it, 0.2 s without; docs/performance.md, "Reports").
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Languages: the first entry is the primary language; the others are the secondary languages
# that status code labels may be translated into. To add one, append it here (or set
# LANGUAGES="en:English,es:Español,fr:Français,de:Deutsch") and run `manage.py makemigrations
# statuscodes` followed by `migrate`: modeltranslation adds label_<lang> and description_<lang>.
_DEFAULT_LANGUAGES = "en:English,es:Español,fr:Français"
LANGUAGES = [
    tuple(item.split(":", 1)) for item in env_list("LANGUAGES", _DEFAULT_LANGUAGES) if ":" in item
]
LANGUAGE_CODE = LANGUAGES[0][0]
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The interface's own texts (gettext): locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by
# `make install`. Which screens follow whose language: docs/languages.md.
LOCALE_PATHS = [BASE_DIR / "locale"]

TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The contact center's zone: the daily rollup holds its local dates, and time by code reads
# whole past days in this zone from the rollup (docs/rollup.md).
REPORTS_ROLLUP_ZONE = os.environ.get("REPORTS_ROLLUP_ZONE", TIME_ZONE)
ZoneInfo(REPORTS_ROLLUP_ZONE)  # a misspelt zone stops the start, not the worker's every run
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
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

# Uploads: imports are small configuration files or history files given to the command line.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Django's database sessions, whose read runs compiled once per process (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
# Agents share workstations between shifts: the session is also gone when the browser closes
# (docs/security.md, "Sessions").
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, docs/security.md): scripts, styles, images, fonts and
# requests from this site only; no inline script, inline style or event handler attribute runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login rate limiting (django-axes, docs/security.md): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is refused for AXES_COOLOFF_TIME; a success
# clears the count. `python manage.py axes_reset_username <name>` lifts a lock at once.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

if not DEBUG:
    # Behind a proxy that terminates TLS, set BEHIND_TLS_PROXY=true so Django trusts its
    # X-Forwarded-Proto header; SECURE_SSL_REDIRECT=false lets the proxy do the redirect.
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Webhooks (docs/integrations.md). Targets on loopback, private, link-local, multicast or
# reserved addresses are refused unless WEBHOOKS_ALLOW_PRIVATE=true (development, tests).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOKS_CONNECT_TIMEOUT", "5"))
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "10"))
# After a commit with deliveries, a thread of the process wakes the worker (feed/wake.py), so
# that the change does not wait for the broker; off, the commit publishes the wake-up itself.
WEBHOOKS_WAKE_IN_BACKGROUND = env_bool("WEBHOOKS_WAKE_IN_BACKGROUND", True)
# How much of a receiver's answer is kept with the attempt (bytes); the rest is not read.
WEBHOOKS_RESPONSE_MAX_BYTES = 4096

# Mail (scheduled reports, docs/scheduled-reports.md): EMAIL_URL, such as
# smtp://user:password@mail.example.com:587/?tls=true (dj-email-url;
# ?ssl=true for SMTPS), or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS / EMAIL_USE_SSL. With neither, in
# development, mail is written as files under var/mail/ (EMAIL_FILE_PATH) and sent nowhere; in
# production (DEBUG=false) it goes to an SMTP server on localhost:25.
_email_file_path = ""
if os.environ.get("EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, console://, file://, memory:// or dummy://."
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    _email_file_path = _email["EMAIL_FILE_PATH"]
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND",
        "django.core.mail.backends.filebased.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend",
    )
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or _email_file_path or str(VAR_DIR / "mail")
# A mail server that does not answer must not hold a worker for long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "reports@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
