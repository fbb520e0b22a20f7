"""``manage.py check --deploy`` is clean with the production settings and a migrated database."""

from __future__ import annotations

import secrets
import subprocess
import sys

from tests.failures.conftest import ROOT, Product


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` in a fresh process (production settings load at start-up)."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings(product: Product) -> None:
    env = {
        **product.env,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "help.example.com",
        "SITE_URL": "https://help.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://help.example.com",
    }
    env.pop("DEBUG", None)
    completed = check_deploy(env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_check_deploy_fails_without_a_production_secret(product: Product) -> None:
    """The check can fail: a short, guessable key is reported."""
    env = {
        **product.env,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "short",
        "ALLOWED_HOSTS": "help.example.com",
    }
    completed = check_deploy(env)
    assert completed.returncode != 0
    assert "security.W009" in completed.stdout + completed.stderr
