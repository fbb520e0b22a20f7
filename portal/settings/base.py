"""Settings shared by every environment; values that differ per deployment come from the environment."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.settings.environment import BASE_DIR, Environment

env = Environment()

VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core ---------------------------------------------------------------------------------------

SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", schemes={"http", "https"})

INSTALLED_APPS = [
    # The modeltranslation apps come first: their migrate command adds the translated
    # columns of Wagtail's Page, and they must register before the apps they translate.
    "wagtail_modeltranslation",
    "wagtail_modeltranslation.makemigrations",
    "wagtail_modeltranslation.migrate",
    "modeltranslation",
    "portal",
    "accounts",
    "cms",
    "search",
    "deflection",
    "tickets",
    "tickets.mail",
    "tickets.agents",
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cms.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Installs the streaming size limit for ticket uploads; its __call__ runs before anything reads the body.
    "tickets.uploads.UploadLimitMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'answerfirst.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.RateLimitedModelBackend"]  # every login form is rate limited
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("REDIS_CACHE_URL")}
        if env.str("REDIS_CACHE_URL", None)
        else {
            # A file cache is shared by the web server's processes and the worker, which the
            # rate limits need; the local-memory cache would count per process.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Strict for the portal and APIs: our own scripts and styles only, nothing inline, no third party
# but video embeds. portal.security relaxes it for Wagtail's admin, which needs inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com", "https://www.youtube.com", "https://player.vimeo.com"],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "SAMEORIGIN"

# --- Languages ----------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("ja", _("Japanese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
WAGTAILMODELTRANSLATION_TRANSLATE_SLUGS = False

# --- Static and media ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "portal" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Ticket attachments: outside MEDIA_ROOT and without a URL; only the permission-checked views read them.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail ------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Answerfirst"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False  # languages are fields (modeltranslation), not page trees
# No Gravatar: the CSP (img-src self) would block it, and each avatar would tell a third party who
# is signed in. Users without an uploaded avatar get Wagtail's own default image.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILAPI_BASE_URL = SITE_URL

# --- Search -------------------------------------------------------------------------------------

# Elasticsearch when a URL (or an Elastic Cloud id) is set; the README's configuration table says
# what each variable does. Elasticsearch 8 starts with TLS and a generated CA: pass the CA bundle
# or the certificate's SHA-256 fingerprint, and an API key or a user and password.
ELASTICSEARCH_URL = ",".join(env.urls("ELASTICSEARCH_URL", schemes={"http", "https"})) or None
ELASTICSEARCH_CLOUD_ID = env.str("ELASTICSEARCH_CLOUD_ID", None)
ELASTICSEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", "answerfirst")
ELASTICSEARCH_API_KEY = env.str("ELASTICSEARCH_API_KEY", None)
ELASTICSEARCH_USERNAME = env.str("ELASTICSEARCH_USERNAME", None)
ELASTICSEARCH_PASSWORD = env.str("ELASTICSEARCH_PASSWORD", None)
ELASTICSEARCH_CA_CERTS = env.str("ELASTICSEARCH_CA_CERTS", None)
ELASTICSEARCH_SSL_FINGERPRINT = env.str("ELASTICSEARCH_SSL_FINGERPRINT", None)
ELASTICSEARCH_REQUEST_TIMEOUT = env.float("ELASTICSEARCH_REQUEST_TIMEOUT", 5.0, minimum=0.1)
ELASTICSEARCH_BULK_TIMEOUT = env.float("ELASTICSEARCH_BULK_TIMEOUT", 60.0, minimum=1.0)
ELASTICSEARCH_MAX_RETRIES = env.int("ELASTICSEARCH_MAX_RETRIES", 3, minimum=0)
if ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME:
    raise ImproperlyConfigured("Set ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD, not both.")
if bool(ELASTICSEARCH_USERNAME) != bool(ELASTICSEARCH_PASSWORD):
    raise ImproperlyConfigured("ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD go together.")
if ELASTICSEARCH_URL and ELASTICSEARCH_CLOUD_ID:
    raise ImproperlyConfigured("Set ELASTICSEARCH_URL or ELASTICSEARCH_CLOUD_ID, not both.")
if ELASTICSEARCH_CA_CERTS and ELASTICSEARCH_SSL_FINGERPRINT:
    raise ImproperlyConfigured("Set ELASTICSEARCH_CA_CERTS or ELASTICSEARCH_SSL_FINGERPRINT, not both.")
if ELASTICSEARCH_SSL_FINGERPRINT and not re.fullmatch(r"(?:[0-9A-Fa-f]{2}:?){32}", ELASTICSEARCH_SSL_FINGERPRINT):
    raise ImproperlyConfigured("ELASTICSEARCH_SSL_FINGERPRINT must be the SHA-256 fingerprint (64 hex digits).")

# The multilingual sentence-embedding signal fused with word search in suggestions
# (search/embeddings.py). Off, or without its package, suggestions rank by words only.
SEARCH_SEMANTIC = env.bool("SEARCH_SEMANTIC", True)

# --- Celery -------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.broker("CELERY_BROKER_URL", "filesystem://")
_broker_scheme = urlsplit(CELERY_BROKER_URL).scheme
if _broker_scheme == "filesystem":
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    _default_results = f"file://{VAR_DIR / 'celery-results'}"
    (VAR_DIR / "celery-results").mkdir(parents=True, exist_ok=True)
elif _broker_scheme in {"redis", "rediss"}:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    _default_results = CELERY_BROKER_URL
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    _default_results = "rpc://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", _default_results)
CELERY_RESULT_EXPIRES = 3600
# No task's result is read (except portal.ping's, which asks for it): storing none also keeps a
# web request from waiting ~20 s on the Redis result store's reconnects while Redis is down.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# Apps add their periodic tasks here (name -> {"task": ..., "schedule": seconds}).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
CELERY_BEAT_SCHEDULE["tickets-sweep-outbox"] = {"task": "tickets.sweep_outbox", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["tickets-purge-attachment-files"] = {"task": "tickets.purge_attachment_files", "schedule": 86400.0}
CELERY_BEAT_SCHEDULE["tickets-auto-close-solved"] = {"task": "tickets.auto_close_solved", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["tickets-agents-sla-breaches"] = {"task": "tickets_agents.detect_sla_breaches", "schedule": 120.0}
CELERY_BEAT_SCHEDULE["search-reindex-dirty"] = {"task": "search.reindex_dirty", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["cms-publish-scheduled"] = {"task": "cms.publish_scheduled", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["cms-flush-article-views"] = {"task": "cms.flush_article_views", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["deflection-close-abandoned"] = {"task": "deflection.close_abandoned_sessions", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["deflection-recompute-funnel"] = {"task": "deflection.recompute_funnel", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["deflection-purge-drafts"] = {"task": "deflection.purge_drafts", "schedule": 86400.0}
# Deflection: idle minutes before a draft counts as abandoned; days a draft's text is kept.
DEFLECTION_ABANDON_AFTER_MINUTES = env.int("DEFLECTION_ABANDON_AFTER_MINUTES", 30, minimum=1)
DEFLECTION_DRAFT_RETENTION_DAYS = env.int("DEFLECTION_DRAFT_RETENTION_DAYS", 30, minimum=1)
DEFLECTION_SUGGEST_RATE = env.str("DEFLECTION_SUGGEST_RATE", "60/m")  # per IP and per user (django-ratelimit)
DEFLECTION_EVENTS_RATE = env.str("DEFLECTION_EVENTS_RATE", "60/m")
TICKETS_AUTO_CLOSE_DAYS = env.int("TICKETS_AUTO_CLOSE_DAYS", 4, minimum=1)  # solved → closed after
TICKETS_FOLLOW_UP_DAYS = env.int("TICKETS_FOLLOW_UP_DAYS", 20, minimum=0)  # reply to closed → follow-up within
TICKETS_OUTBOX_RETRY_MINUTES = env.int("TICKETS_OUTBOX_RETRY_MINUTES", 5, minimum=1)  # sweeper re-queues after
TICKETS_CREATE_RATE = env.str("TICKETS_CREATE_RATE", "20/h")  # tickets one user may file (portal + API)
TICKETS_ATTACHMENT_MAX_BYTES = env.int("TICKETS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)  # per file
TICKETS_ATTACHMENT_MAX_FILES_PER_UPLOAD = env.int("TICKETS_ATTACHMENT_MAX_FILES_PER_UPLOAD", 5, minimum=1)
TICKETS_ATTACHMENT_MAX_FILES_PER_TICKET = env.int("TICKETS_ATTACHMENT_MAX_FILES_PER_TICKET", 20, minimum=1)
CELERY_BEAT_SCHEDULE["tickets-mail-sweep-outbound"] = {"task": "tickets_mail.sweep_outbound", "schedule": 120.0}
CELERY_BEAT_SCHEDULE["tickets-mail-poll-imap"] = {"task": "tickets_mail.poll_imap", "schedule": 60.0}  # needs IMAP_URL

# --- Email --------------------------------------------------------------------------------------

EMAIL_URL = env.url("EMAIL_URL", None, schemes={"smtp", "smtps", "submission", "consolemail", "filemail"})
if EMAIL_URL:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/SSL
    globals().update(environ.Env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Answerfirst Support <support@answerfirst.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every email goes through one outbox (sent once, recovered by a sweeper). It lives in tickets.mail,
# which accounts may not import, so accounts reaches it through this name (like EMAIL_BACKEND).
ACCOUNTS_MAIL_OUTBOX = "tickets.mail.outbound.prebuilt_promise"
# Incoming mail: optional IMAP mailbox polled every minute (imaps://user:password@host:993/INBOX).
IMAP_URL = env.str("IMAP_URL", "")
TICKETS_MAIL_REPLY_DOMAIN = env.str("TICKETS_MAIL_REPLY_DOMAIN", "")  # signed reply addresses; default: From's domain
TICKETS_MAIL_MAX_BYTES = env.int("TICKETS_MAIL_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)  # larger: quarantined

# --- APIs ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Answerfirst API",
    "DESCRIPTION": "Deflection, search and tickets for the Answerfirst help center.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,  # request bodies get their own components: uploads are binary, not URLs
    "SWAGGER_UI_DIST": "SIDECAR",  # self-hosted: no CDN, allowed by the CSP
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["portal.api.only_our_api"],  # Wagtail's APIs are documented by Wagtail
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "portal.api.plain_values"],
}

# --- Product ------------------------------------------------------------------------------------

DEMO_PASSWORD = env.str("DEMO_PASSWORD", "answerfirst-demo")  # seed_demo's accounts; demo only
COMMUNITY_URL = env.url("COMMUNITY_URL", "https://community.answerfirst.example", schemes={"http", "https"})

# Rate limits (django-ratelimit, counted in the cache above). Off only for load benchmarks.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", True)
# Rate limits count per client: REMOTE_ADDR, or the X-Forwarded-For entry added by the nearest of
# TRUSTED_PROXY_COUNT reverse proxies (0: no proxy, the header is ignored since clients can forge it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
RATELIMIT_IP_META_KEY = "accounts.ratelimit.client_ip"
# Accounts: sign-in attempts per address and per client IP ("5/5m" = 5 per 5 minutes), and how long a
# support contact email confirmation link stays valid (seconds).
LOGIN_RATE_PER_ACCOUNT = env.str("LOGIN_RATE_PER_ACCOUNT", "5/5m")
LOGIN_RATE_PER_IP = env.str("LOGIN_RATE_PER_IP", "30/5m")
CONTACT_EMAIL_LINK_MAX_AGE = env.int("CONTACT_EMAIL_LINK_MAX_AGE", 2 * 24 * 3600, minimum=300)

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
# LOG_DIR (set by `make run`): the details (requests, tasks) go to LOG_DIR/answerfirst.log and the
# console keeps warnings and errors only. Celery then leaves the root logger to these settings.
LOG_DIR = env.str("LOG_DIR", "")
if LOG_DIR:
    Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
    LOGGING["handlers"]["file"] = {
        "class": "logging.FileHandler",
        "filename": str(Path(LOG_DIR) / "answerfirst.log"),
        "formatter": "plain",
    }
    LOGGING["handlers"]["console"]["level"] = "WARNING"
    LOGGING["root"]["handlers"] = ["console", "file"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = not LOG_DIR
