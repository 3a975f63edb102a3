"""Django settings for Uplift, read from the environment.

Every setting a deployment changes comes from an environment variable; the defaults are for a
developer's machine: an embedded SQLite database under ``var/`` and DEBUG off unless asked.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("UPLIFT_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (embedded installs)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _sealing_keys() -> list[str]:
    """Fernet keys that seal bids until their opening; the first seals, all open (so keys rotate).

    From ``BID_SEALING_KEYS`` (comma-separated), else one generated once and kept in var/. Kept
    apart from SECRET_KEY: rotating that must not make sealed bids unreadable.
    """
    if keys := os.environ.get("BID_SEALING_KEYS"):
        return [k.strip() for k in keys.split(",") if k.strip()]
    path = VAR_DIR / "bid_sealing_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


BID_SEALING_KEYS = _sealing_keys()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # The optional second factor at sign-in: TOTP devices, throttling and replay protection.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "uplift.core",
    "uplift.accounts",
    "uplift.registry",
    "uplift.programmes",
    "uplift.procurement",
    "uplift.delivery",
    "uplift.inspection",
    "uplift.indicators",
    "uplift.excellence",
    "uplift.servicedesk",
    "uplift.imports",
    "uplift.reports",
    "uplift.notifications",
    "uplift.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "uplift.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "uplift.core.middleware.RequestContextMiddleware",
    "uplift.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "uplift.urls"
WSGI_APPLICATION = "uplift.wsgi.application"

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
                "uplift.core.context_processors.navigation",
                "uplift.notifications.context_processors.unread",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL selects the backend; the default is the embedded SQLite database in WAL mode with
# IMMEDIATE transactions so concurrent writers queue instead of failing on lock upgrades.
_default_sqlite = f"sqlite:///{VAR_DIR / 'uplift.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["uplift.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "uplift.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "uplift.accounts.validators.PasswordHistoryValidator"},
]
SESSION_COOKIE_AGE = 30 * 60
#: The name an authenticator app shows beside the account (django-otp's TOTP devices).
OTP_TOTP_ISSUER = os.environ.get("UPLIFT_OTP_ISSUER", "Uplift")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything comes from this server; no inline script or style anywhere (data for charts travels in
# <script type="application/json">, which is not executed).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Behind TLS (SECURE_COOKIES=1): HSTS, and HTTPS redirects unless the proxy does them.
SECURE_HSTS_SECONDS = 31536000 if env_bool("SECURE_COOKIES") else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_COOKIES")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["uplift.formats"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Evidence files (uplift/core/uploads.py): the largest accepted, in bytes.
UPLIFT_UPLOAD_MAX_BYTES = int(os.environ.get("UPLIFT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Imports (uplift/imports/): files larger than this run in the background (a worker), smaller at once.
UPLIFT_IMPORT_INLINE_BYTES = int(os.environ.get("UPLIFT_IMPORT_INLINE_BYTES", 2 * 1024 * 1024))
# Exports (core/exports.py): a list longer than this is written in the background, shorter at once.
UPLIFT_EXPORT_INLINE_ROWS = int(os.environ.get("UPLIFT_EXPORT_INLINE_ROWS", 20_000))

# --- Background tasks and the cache -----------------------------------------------------------
# Tasks (imports) are rows in the database, run by `uplift db_worker` (`uplift demo` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A cache every process of the machine shares (a worker writes an import's progress, the web
# server reads it; the database cannot carry it while the import's transaction holds it).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
    }
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Notifications and e-mail -----------------------------------------------------------------
# Every workflow step passes through core.audit.record, which calls this hook: it notifies the
# step's recipients (uplift/notifications/handovers.py) once the step commits. Empty: no hook.
UPLIFT_STEP_HOOK = os.environ.get("UPLIFT_STEP_HOOK", "uplift.notifications.handovers.after_step")
# E-mail goes through Django's backend (SMTP by default) to the address of each user who has one.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "uplift@localhost")
if os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
# Notifications are e-mailed (by the background worker) when this is on: by default, when a mail
# server is configured.
UPLIFT_NOTIFY_EMAIL = env_bool("UPLIFT_NOTIFY_EMAIL", bool(EMAIL_HOST))
# The site's address as users reach it (https://uplift.example.gov.cn), for links in e-mails.
UPLIFT_SITE_URL = os.environ.get("UPLIFT_SITE_URL", "")
# The daily digest (`uplift notify digest`): days an activity may wait for approval.
UPLIFT_APPROVAL_OVERDUE_DAYS = int(os.environ.get("UPLIFT_APPROVAL_OVERDUE_DAYS", 7))

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Per-user tokens first (hashed, scoped, expiring: uplift.accounts.authentication): an
    # unauthenticated API call then answers 401 with "WWW-Authenticate: Bearer".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "uplift.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "uplift.api.permissions.ModelPermissions",
        # A read-only token reads; it changes nothing, whatever its user may do.
        "uplift.accounts.authentication.TokenScopePermission",
    ],
    # Generous for people and scripts, a brake on scraping and guessing.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "60/minute"),
        "user": os.environ.get("API_RATE_USER", "1200/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "uplift.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "uplift.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Uplift API",
    "DESCRIPTION": "Quality-improvement programme records: registries, programmes, targets and figures.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Status choice sets whose generated names would collide (each model's own "status").
    "ENUM_NAME_OVERRIDES": {
        "ExpertAssessmentStatusEnum": "uplift.excellence.choices.ExpertAssessmentStatus",
        "BenchmarkStatusEnum": "uplift.excellence.choices.BenchmarkStatus",
        "ReviewStatusEnum": "uplift.delivery.choices.ReviewStatus",
        "ActivityKindEnum": "uplift.delivery.choices.ActivityKind",
        "AttachmentKindEnum": "uplift.core.models.AttachmentKind",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "uplift.api.schema.add_error_responses",
    ],
    # Everything served locally (the system runs on an intranet): no CDN, no online validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": True},
}

# --- Open Contracting Data Standard -------------------------------------------------------------
# The ocid prefix of `uplift export ocds`. The default is a placeholder: a real publisher registers
# its own prefix with the OCDS helpdesk (docs/ocds.md) and sets it here.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-uplift00")

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
DJANGO_TABLES2_PAGE_RANGE = 8

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The demo builders, run in order by `uplift demo`; each later issue appends its own.
UPLIFT_DEMO_BUILDERS = [
    "uplift.registry.demo.build",
    "uplift.accounts.demo.build",
    "uplift.programmes.demo.build",
    "uplift.procurement.demo.build",
    "uplift.delivery.demo.build",
    "uplift.inspection.demo.build",
    "uplift.delivery.demo_results.build",
    "uplift.delivery.demo_acceptance.build",
    "uplift.delivery.demo_evidence.build",
    "uplift.indicators.demo.build",
    "uplift.excellence.demo.build",
    "uplift.servicedesk.demo.build",
    "uplift.imports.demo.build",
]
#: A context manager for writing many records at once (the demo, imports): it skips the per-write
#: rollup upkeep and rebuilds the rollups at the end.
UPLIFT_BULK_LOAD = "uplift.programmes.rollups.bulk_load"

# The dashboard's rollup index covers its columns on PostgreSQL (INCLUDE); SQLite, the embedded
# demo database, ignores the covering part, which is harmless at its scale.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
