"""The test suite: the embedded default unless DATABASE_URL / CELERY_BROKER_URL point elsewhere."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: the Celery worker the tests start runs in other
    # threads and must see the same database through its own connection.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    # Keep the suite's queue apart from a `make run` worker's, which would steal its tasks.
    for _key, _folder in (("data_folder_in", "queue"), ("data_folder_out", "queue"), ("processed_folder", "done")):
        (VAR_DIR / "test-broker" / _folder).mkdir(parents=True, exist_ok=True)
        CELERY_BROKER_TRANSPORT_OPTIONS[_key] = str(VAR_DIR / "test-broker" / _folder)  # noqa: F405
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'test-broker'}"
