"""Configuration from the environment: good values parse, malformed ones stop start-up by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import Environment

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_accept_the_usual_spellings() -> None:
    env = Environment({"A": "true", "B": "0", "C": "Yes", "D": "off"})
    assert [env.bool(name, default=False) for name in "ABCD"] == [True, False, True, False]
    assert env.bool("MISSING", default=True) is True


def test_a_malformed_boolean_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG must be a boolean.*'maybe'"):
        Environment({"DEBUG": "maybe"}).bool("DEBUG", default=False)


def test_integers_are_checked() -> None:
    env = Environment({"N": "12", "BAD": "twelve", "NEG": "-1"})
    assert env.int("N", 0) == 12
    with pytest.raises(ImproperlyConfigured, match="BAD must be an integer"):
        env.int("BAD", 0)
    with pytest.raises(ImproperlyConfigured, match="NEG must be at least 0"):
        env.int("NEG", 0, minimum=0)


def test_lists_split_on_commas() -> None:
    env = Environment({"ALLOWED_HOSTS": "example.com, .example.org,,"})
    assert env.list("ALLOWED_HOSTS", []) == ["example.com", ".example.org"]


def test_sqlite_database_gets_wal_and_a_busy_timeout() -> None:
    config = Environment({}).database("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/x.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] == 20
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_is_parsed() -> None:
    config = Environment({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/answerfirst"}).database(
        "DATABASE_URL", "sqlite:///x"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "127.0.0.1",
        5432,
        "answerfirst",
        "postgres",
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysqlish://db/x", "DATABASE_URL must be a URL with one of the schemes"),
        ("DATABASE_URL", "postgres://host:notaport/db", "DATABASE_URL has an invalid port"),
        ("CELERY_BROKER_URL", "kafka://broker", "CELERY_BROKER_URL must be a URL with one of the schemes"),
        ("CELERY_BROKER_URL", "redis://", "CELERY_BROKER_URL must name a host"),
    ],
)
def test_malformed_urls_name_the_variable(name: str, value: str, message: str) -> None:
    env = Environment({name: value})
    reader = env.database if name == "DATABASE_URL" else env.broker
    with pytest.raises(ImproperlyConfigured, match=message):
        reader(name, "sqlite:///x" if name == "DATABASE_URL" else "filesystem://")


def _start(settings_module: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    ours = ("DATABASE_", "CELERY_", "SECRET_KEY", "DEBUG", "ELASTICSEARCH_", "EMAIL_URL", "ALLOWED_HOSTS")
    environ = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    environ.update(DJANGO_SETTINGS_MODULE=settings_module, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "perhaps"),
        ("ELASTICSEARCH_URL", "not a url"),
        ("EMAIL_URL", "pigeon://coop"),
        ("CELERY_BROKER_URL", "kafka://broker"),
    ],
)
def test_start_up_stops_on_a_malformed_variable(variable: str, value: str) -> None:
    result = _start("portal.settings.dev", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_requires_a_secret_key() -> None:
    result = _start("portal.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_starts_with_its_secrets_set() -> None:
    result = _start("portal.settings.production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="help.example.com")
    assert result.returncode == 0, result.stderr
