"""The test suite: the embedded default unless DATABASE_URL / CELERY_BROKER_URL point elsewhere."""

import os

from portal.settings.base import *  # noqa: F403
from portal.settings.base import DATABASES, VAR_DIR

_RUN = os.environ.setdefault("ANSWERFIRST_TEST_RUN", str(os.getpid()))

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: the Celery worker the tests start runs in other
    # threads and must see the same database through its own connection.
    # One file per test run (ANSWERFIRST_TEST_RUN, else the pid), so parallel runs don't collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_RUN}.sqlite3")}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The whole run shares one client address (and one cache): tests of the sign-in limits set their own.
LOGIN_RATE_PER_ACCOUNT = "1000/5m"
LOGIN_RATE_PER_IP = "1000/5m"

if CELERY_BROKER_URL.startswith("filesystem"):
    # Keep the suite's queue apart from a `make run` worker's, which would steal its tasks.
    _folders = (("data_folder_in", "queue"), ("data_folder_out", "queue"), ("processed_folder", "done"))
    for _key, _folder in (*_folders, ("control_folder", "control")):
        (VAR_DIR / f"test-broker-{_RUN}" / _folder).mkdir(parents=True, exist_ok=True)
        CELERY_BROKER_TRANSPORT_OPTIONS[_key] = str(VAR_DIR / f"test-broker-{_RUN}" / _folder)
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / f'test-broker-{_RUN}'}"

# Word ranking is what most tests assert; the semantic signal's own tests turn it on
# (tests/search/test_embeddings.py), which also spares every other test the model's load.
SEARCH_SEMANTIC = False
