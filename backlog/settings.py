"""One settings file for every environment; everything that differs comes from the environment.

See README.md ("Configuration") for the variables.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from backlog.email_config import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting: 1/0, true/false, yes/no, on/off in any case; anything else is a
    mistake worth stopping for (a typo must not quietly turn HTTPS off)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see README.md, Configuration)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "backlog",
    "episodes",
    "advice",
    "clinic",
    "backlog.admin_config.SecondFactorAdminConfig",  # django.contrib.admin, behind a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's passkey list
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # The background task queue (follow-ups): Django's tasks API, database backend.
    "django_tasks",
    "django_tasks.backends.database",
]

MIDDLEWARE = [
    # First: control characters (NUL...) leave the request headers before anything reads or
    # stores them (PostgreSQL refuses NUL in text, so a stored User-Agent would answer 500).
    "backlog.middleware.clean_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backlog.middleware.idle_timeout",
    "django_htmx.middleware.HtmxMiddleware",
    "backlog.middleware.htmx_redirects",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "backlog.middleware.user_timezone",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A patient who has not agreed to the current privacy notice is asked to, first.
    "backlog.middleware.PrivacyConsentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the authentication result of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backlog.urls"
WSGI_APPLICATION = "backlog.wsgi.application"

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
                "advice.context_processors.disclaimer",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite by default (WAL, IMMEDIATE transactions and a busy timeout, so that concurrent writers
# queue instead of failing with "database is locked"); PostgreSQL when DATABASE_URL says so.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL (redis://host:6379/0) makes the cache shared by every worker and app server:
# trend reports, charts, summaries and the attempt limits (backlog.attempts). Without it each
# process keeps its own in memory, which is all one server needs. A Redis outage is a cache
# miss with a logged warning (backlog.cache), never an error page. Sessions stay in the
# database either way.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "backlog.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "backlog"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "backlog",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# After a flare-up is saved, build the patient's Trends charts into the cache in a thread
# (advice.services.cache_warm_later), so their next look is warm.
CACHE_WARM_AFTER_WRITE = env_bool("CACHE_WARM_AFTER_WRITE", True)

# --- Accounts, passwords, sessions ------------------------------------------------------------
# django-allauth (account + mfa + usersessions) runs sign-up, log-in, log-out, email
# verification, password reset and change, two factors and passkeys, and the sessions list.
AUTH_USER_MODEL = "backlog.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked username+IP pair is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "backlog.auth.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Email is the login; there are no usernames.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# One address per account, changed by verifying the new one first.
ACCOUNT_CHANGE_EMAIL = True
# Optional: a patient can log flare-ups at once; sharing needs a verified address
# (backlog.accounts.has_verified_email).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "backlog: "
# Reset requests for unknown addresses answer like the others and send nothing.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# No "remember me": the session cookie ends with the browser, the session after 30 idle minutes.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_ADAPTER = "backlog.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "add_email": "backlog.forms.AddEmailForm",
    "login": "backlog.forms.LoginForm",
    "reset_password": "backlog.forms.ResetPasswordForm",
    "signup": "backlog.forms.SignupForm",
}
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed" and the like
# One lockout counter: django-axes (below). allauth's own failed-login limit is off; its
# limits on reset and verification emails, sign-ups and password changes stay on.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "confirm_email": "1/180s/key"}

MFA_ADAPTER = "backlog.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "backlog"
# Passkeys work over https, and over plain http on localhost only (browsers and the fido2
# library treat it as secure); the origin is always checked.
if DEBUG:
    # Development only (allauth refuses it when DEBUG is off): when set, this code passes any
    # TOTP check, so the demo clinician can set up a second factor without an authenticator app.
    MFA_TOTP_INSECURE_BYPASS_CODE = os.environ.get("MFA_TOTP_INSECURE_BYPASS_CODE", "") or None

# Settings > Sessions: last seen is refreshed once a minute by backlog.middleware.idle_timeout
# (allauth's per-request tracking would write the database on every page view).
USERSESSIONS_TRACK_ACTIVITY = False

# The privacy notice's version: raise it whenever templates/backlog/privacy.html changes in
# substance, and every patient is asked to agree again at their next request.
PRIVACY_NOTICE_VERSION = 1

# Sessions end after 30 minutes without a request (backlog.middleware.idle_timeout renews
# them at most once a minute, rather than writing the session on every request), and on
# logout (the session row is deleted, so an old cookie is useless).
SESSION_COOKIE_AGE = 30 * 60
# Sessions live in the database, shared by every app server, whatever the cache is.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a username+IP pair after 5 failures for 15 minutes; never for good.
# Its counters are rows in the database, so a lockout holds on every app server.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# allauth's form posts "login" and authenticates with "email": one function reads either.
AXES_USERNAME_CALLABLE = "backlog.auth.attempted_email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False
# Logins, logouts and failed logins are written by backlog/signals.py to the
# "backlog.accounts" logger; axes' own access log would keep every person's email, IP and
# browser for good, even after they delete their account.
AXES_DISABLE_ACCESS_LOG = True

# The client's address. With TRUSTED_PROXY_COUNT=0 (the default) it is the connection's
# address and any X-Forwarded-For header is ignored (anyone can write one). Behind N proxies
# that each append the address they were reached from to X-Forwarded-For (nginx's
# $proxy_add_x_forwarded_for), set TRUSTED_PROXY_COUNT=N. django-ipware (through axes'
# settings) then expects exactly N addresses there, the client's first; a header with more
# (something the client wrote itself) is not believed, and the connection's address is used.
# allauth's rate limits and the sessions list read the address the same way
# (backlog.adapters.AccountAdapter.get_client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")
if TRUSTED_PROXY_COUNT:
    # ipware counts the proxies listed after the client: the last proxy is the connection.
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_PROXY_COUNT = None
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Email ------------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:password@host:587/?tls=1, smtps://... for TLS from the start,
# console://) or EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS.
# Without either: the console under DEBUG, otherwise an SMTP server on localhost:25.
EMAIL_CONFIG = email_settings(os.environ, debug=DEBUG)
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "backlog <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks and follow-ups ----------------------------------------------------------
# Django's tasks API (the django-tasks backport), stored in the database: `manage.py db_worker`
# runs them (make run and make serve start it). Follow-up emails link to SITE_URL.
TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# A follow-up email claimed by a worker that died before sending it is retried after this.
FOLLOWUP_CLAIM_SECONDS = int(os.environ.get("FOLLOWUP_CLAIM_SECONDS", "300"))
# How often the worker looks for due follow-ups.
FOLLOWUP_SWEEP_SECONDS = int(os.environ.get("FOLLOWUP_SWEEP_SECONDS", "60"))

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS_ONLY: the site is reached only over HTTPS through a TLS-terminating proxy that sets
# X-Forwarded-Proto. On by default when DEBUG is off; `make serve` on 127.0.0.1 turns it off.
HTTPS_ONLY = env_bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY and env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS_ONLY and env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a commitment browsers keep for months after it is undone: opt in with
# SECURE_HSTS_PRELOAD=1, and let `check --deploy` pass without it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
if HTTPS_ONLY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The one exception: plotly.js positions chart elements with inline style attributes,
        # which CSP counts as inline styles. Scripts stay 'self' only (no inline, no eval).
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The service worker (/sw.js) and the web app manifest (advice.installable).
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# plotly.js's basic bundle (scatter and bar traces, which are all the charts use: a third of
# the full bundle's bytes) from npm, `make js`, pinned in package.json to the plotly.js
# version the installed Python plotly targets (PLOTLY_JS_VERSION; a test checks they agree).
PLOTLY_JS_VERSION = plotly.offline.get_plotlyjs_version()
PLOTLY_JS_DIR = BASE_DIR / "node_modules" / "plotly.js-basic-dist-min"
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", PLOTLY_JS_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "backlog.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "backlog": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}
