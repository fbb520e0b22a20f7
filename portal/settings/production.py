"""Production: secrets have no default, cookies are secure, files may live in S3."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

SECRET_KEY = env.str("SECRET_KEY")  # required: no default in production
DEBUG = env.bool("DEBUG", False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"  # browsers only accept it over HTTPS, for this host, path /
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)  # a working day, not two weeks
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Nothing of ours is framed; Wagtail's preview panel sets SAMEORIGIN on its own responses.
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", None)
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.url("AWS_S3_ENDPOINT_URL", None, schemes={"http", "https"})
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True  # files are only reached through signed, expiring URLs
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    # Ticket attachments: their own prefix, private objects; the app reads them for the permission-checked view.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "private", "default_acl": "private", "querystring_auth": True},
    }
