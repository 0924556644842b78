"""Infrastructure settings, read from JIESU_* environment variables. Business rules are rows."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE."""
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if not value and path:
        value = Path(path).read_text(encoding="utf-8").strip()
    return value


def demo_field_key(path: Path) -> str:
    """The demo's field key: drawn once into `path` (owner-only), then read from it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(os.urandom(16).hex() + "\n")
    return path.read_text(encoding="utf-8").strip()


DEBUG = env_bool("JIESU_DEBUG", False)
VAR_DIR = Path(env_str("JIESU_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_secret("JIESU_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or env_bool("JIESU_DEMO", False):
        SECRET_KEY = "jiesu-insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("JIESU_SECRET_KEY (or JIESU_SECRET_KEY_FILE) must be set")

# Absolute links in e-mail, SMS and WeCom messages (e.g. https://jiesu.example.gov.cn).
JIESU_BASE_URL = env_str("JIESU_BASE_URL", "").rstrip("/")
ALLOWED_HOSTS = [h for h in env_str("JIESU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("JIESU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "jiesu.core",
    "jiesu.audit",
    "jiesu.orgs",
    "jiesu.geo",
    "jiesu.notify",
    "jiesu.sla",
    "jiesu.tickets",
    "jiesu.knowledge",
    "jiesu.reminders",
    "jiesu.retention",
    "jiesu.kpi",
    "jiesu.intel",
    "jiesu.handover",
    "jiesu.reports",
    "jiesu.api",
    "jiesu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiesu.web.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jiesu.orgs.security.sessions.SessionTimeoutMiddleware",
    "jiesu.web.middleware.SecondFactorGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "jiesu.urls"
WSGI_APPLICATION = "jiesu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiesu.web.context_processors.admin_warnings",
                "jiesu.web.context_processors.unread_notifications",
                "jiesu.web.security_headers.csp_nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiesu.sqlite3'}"),
        conn_max_age=env_int("JIESU_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Jiesu's queries are short counts and pages over a large table: their estimated cost at a
    # million tickets triggers JIT, whose compile time (0.15-0.3 s) exceeded what it saved in
    # every benchmark (kpi, home and list pages).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

AUTH_USER_MODEL = "orgs.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length, character classes, history and ages come from the AuthPolicy rows (jiesu.orgs.security).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jiesu.orgs.security.policy.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# ModelBackend behind the per-account and per-address lockout.
AUTHENTICATION_BACKENDS = ["jiesu.orgs.security.backends.LockoutModelBackend"]
# Sessions end on the server after this much inactivity, and in any case after the maximum.
JIESU_SESSION_IDLE_SECONDS = env_int("JIESU_SESSION_IDLE_SECONDS", 600)
JIESU_SESSION_MAX_SECONDS = env_int("JIESU_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = JIESU_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Reverse proxies in front of Jiesu whose X-Forwarded-For is trusted (0: use REMOTE_ADDR).
JIESU_PROXY_COUNT = env_int("JIESU_PROXY_COUNT", 0)
# JSON API requests per minute per user (token or session) and per source address; 0 = no limit.
JIESU_API_RATE_PER_USER = env_int("JIESU_API_RATE_PER_USER", 120)
JIESU_API_RATE_PER_ADDRESS = env_int("JIESU_API_RATE_PER_ADDRESS", 600)
# The assessment scheme (jiesu.kpi) whose indicators the leaders' dashboard shows for the month.
JIESU_KPI_SCHEME = env_str("JIESU_KPI_SCHEME", "beijing-3rates")
# The issuer name authenticator apps show beside the TOTP codes.
JIESU_TOTP_ISSUER = env_str("JIESU_TOTP_ISSUER", "接诉12345")
# SM4 key for encrypted fields (32 hex digits), see jiesu.core.crypto; or JIESU_FIELD_KEY_FILE. The
# demo makes its own once, in $JIESU_VAR_DIR/field.key. Retired keys (comma- or newline-separated)
# still open values until `jiesu keys rotate` has re-sealed them (docs/personal-data.md).
JIESU_FIELD_KEY = env_secret("JIESU_FIELD_KEY")
if not JIESU_FIELD_KEY and env_bool("JIESU_DEMO", False):
    JIESU_FIELD_KEY = demo_field_key(VAR_DIR / "field.key")
JIESU_FIELD_KEYS_RETIRED = env_secret("JIESU_FIELD_KEYS_RETIRED")
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the screens speak Chinese whatever the browser asks for
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Attachments are content-addressed files below this root (see jiesu.tickets.services.attachments).
ATTACHMENT_ROOT = Path(env_str("JIESU_ATTACHMENT_ROOT", str(VAR_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("JIESU_ATTACHMENT_MAX_BYTES", 200 * 1024 * 1024)
# Ledger exports (jiesu.tickets.exporting), one file per job, deleted after 24 hours.
EXPORT_ROOT = Path(env_str("JIESU_EXPORT_ROOT", str(VAR_DIR / "exports")))
# Report packs (jiesu.reports): every generated version, kept as `<kind>/<period>/v<N>/` below this root.
REPORT_ROOT = Path(env_str("JIESU_REPORT_ROOT", str(VAR_DIR / "reports")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Text intelligence (jiesu.intel): trained suggestion models are kept below this root, and each
# ticket created through the API or the web is screened when INTEL_SCREENING is on (sensitive
# content, repeats and duplicates, suggestions).
INTEL_MODEL_ROOT = Path(env_str("JIESU_INTEL_MODEL_ROOT", str(VAR_DIR / "intel")))
INTEL_SCREENING = env_bool("JIESU_INTEL_SCREENING", True)
# Ticket suggestions (docs/intel-suggestions.md): the worker retrains every N days, and at once
# when no model exists and at least this many closed, categorised tickets do.
INTEL_RETRAIN_DAYS = env_int("JIESU_INTEL_RETRAIN_DAYS", 7)
INTEL_MIN_TRAINING_ROWS = env_int("JIESU_INTEL_MIN_TRAINING_ROWS", 200)

# Production runs behind HTTPS (JIESU_HTTPS=1); the demo and the tests speak plain HTTP. The
# Content-Security-Policy and Permissions-Policy come from jiesu.web.security_headers.
JIESU_HTTPS = env_bool("JIESU_HTTPS", False)
SECURE_SSL_REDIRECT = JIESU_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if JIESU_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = JIESU_HTTPS
# Only a request for the directive: the domain joins browsers' preload lists only if submitted.
SECURE_HSTS_PRELOAD = JIESU_HTTPS and env_bool("JIESU_HSTS_PRELOAD", True)
if env_bool("JIESU_BEHIND_PROXY", False):
    # Only safe when the proxy overwrites this header on every request it forwards.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("JIESU_SECURE_COOKIES", JIESU_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JIESU_LOG_LEVEL", "WARNING")},
}

# Audit trail (jiesu.audit): the HMAC-SM3 chain key (falls back to one derived from SECRET_KEY, with a
# warning) and how long entries are kept; below the legal 183 days is refused.
JIESU_AUDIT_KEY = env_secret("JIESU_AUDIT_KEY")
JIESU_AUDIT_RETENTION_DAYS = env_int("JIESU_AUDIT_RETENTION_DAYS", 183)
# Shortest retention policy allowed for recordings and text records (jiesu.retention); 730 days is
# the civil-affairs contracts' "at least 2 years".
JIESU_RETENTION_MIN_DAYS = env_int("JIESU_RETENTION_MIN_DAYS", 730)

# Periodic jobs of `jiesu worker`: (dotted path, interval in seconds).
WORKER_JOBS: list[tuple[str, int]] = [
    ("jiesu.tickets.jobs.sector_confirmations_auto_confirm", 300),
    ("jiesu.tickets.jobs.deadlines_recompute_when_changed", 120),
    ("jiesu.reminders.jobs.reminders_run", 60),
    ("jiesu.notify.jobs.deliveries_send", 15),
    ("jiesu.audit.jobs.audit_purge_job", 3600),
    ("jiesu.retention.jobs.retention_purge_job", 24 * 3600),
    ("jiesu.tickets.exporting.jobs.exports_purge_job", 3600),
    ("jiesu.knowledge.jobs.knowledge_expire_job", 3600),
    ("jiesu.knowledge.jobs.knowledge_expiry_reminders_job", 24 * 3600),
    ("jiesu.reports.jobs.reports_due_job", 600),
    ("jiesu.kpi.jobs.payment_alerts_job", 6 * 3600),
    ("jiesu.intel.jobs_bursts.bursts_job", 6 * 3600),
    ("jiesu.intel.jobs_hotspots.hotspots_job", 600),
    ("jiesu.intel.jobs_suggest.suggestions_feedback_job", 300),
    ("jiesu.intel.jobs_suggest.suggestions_retrain_job", 3600),
]
