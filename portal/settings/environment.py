"""Configuration read from the environment through django-environ.

django-environ quietly turns a malformed boolean into ``False`` and accepts any URL scheme, so
every value goes through a check here that raises ``ImproperlyConfigured`` naming the variable:
a typo in a deployment stops start-up instead of running with a surprising value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
_BROKER_SCHEMES = {"filesystem", "redis", "rediss", "amqp", "amqps", "memory"}
_UNSET = object()


class Environment:
    """A view of environment variables with validating, typed readers."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._env = environ.Env()
        self._env.ENVIRON = dict(os.environ if values is None else values)

    def _raw(self, name: str, default: Any) -> Any:
        value = self._env.ENVIRON.get(name)
        if value is None:
            if default is _UNSET:
                raise ImproperlyConfigured(f"{name} is required and not set.")
            return default
        return value

    def str(self, name: str, default: Any = _UNSET) -> Any:
        return self._raw(name, default)

    def bool(self, name: str, default: bool) -> bool:
        raw = self._raw(name, None)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no), got {raw!r}.")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self._raw(name, None)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
        return value

    def float(self, name: str, default: float, *, minimum: float | None = None) -> float:
        raw = self._raw(name, None)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
        return value

    def list(self, name: str, default: list[str]) -> list[str]:
        raw = self._raw(name, None)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def url(self, name: str, default: Any = _UNSET, *, schemes: set[str] | None = None) -> Any:
        raw = self._raw(name, default)
        if raw is None or raw is default:
            return raw
        parts = urlsplit(raw)
        if not parts.scheme or (schemes and parts.scheme not in schemes):
            allowed = ", ".join(sorted(schemes or {"scheme://…"}))
            raise ImproperlyConfigured(f"{name} must be a URL with one of the schemes {allowed}; got {raw!r}.")
        if parts.scheme not in {"filesystem", "memory", "sqlite", "file"} and not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, got {raw!r}.")
        try:
            parts.port  # noqa: B018 - urlsplit validates the port lazily
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port: {raw!r}.") from None
        return raw

    def urls(self, name: str, *, schemes: set[str]) -> list[str]:
        """A comma-separated list of URLs (several nodes of one cluster), each checked like ``url``."""
        raw = self._raw(name, None)
        if raw is None:
            return []
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return [Environment({name: item}).url(name, schemes=schemes) for item in items]

    def database(self, name: str, default: str) -> dict[str, Any]:
        raw = self.url(name, default, schemes=_DATABASE_SCHEMES)
        try:
            config = environ.Env.db_url_config(raw)
        except Exception as error:  # django-environ raises several kinds for bad URLs
            raise ImproperlyConfigured(f"{name} is not a valid database URL ({error}): {raw!r}.") from None
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # WAL lets the web server and the worker read while one writes; IMMEDIATE
            # transactions take the write lock up front, so a busy database waits
            # (busy timeout) instead of failing half-way through a transaction.
            config["OPTIONS"] = {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        else:
            config["CONN_MAX_AGE"] = self.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
            config["CONN_HEALTH_CHECKS"] = True
        return config

    def broker(self, name: str, default: str) -> str:
        return self.url(name, default, schemes=_BROKER_SCHEMES)
