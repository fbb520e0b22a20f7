"""docker-compose.yml runs Elasticsearch with security on, and the app connects through its settings."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.settings import base

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _script(command: str) -> str:
    """The bash script of a ``bash -c '…'`` command, with compose's ``$$`` escapes undone."""
    match = re.fullmatch(r"bash -c '(.*)'\s*", command, re.S)
    assert match, command
    return match.group(1).replace("$$", "$")


def test_elasticsearch_runs_with_tls_and_a_password_from_env(compose: dict[str, Any]) -> None:
    node = compose["services"]["elasticsearch"]
    environment = node["environment"]
    assert environment["xpack.security.enabled"] == "true"
    assert environment["xpack.security.http.ssl.enabled"] == "true"
    assert environment["xpack.security.transport.ssl.enabled"] == "true"
    assert environment["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")  # from .env, required
    assert node["depends_on"] == {"es-certs": {"condition": "service_completed_successfully"}}
    assert "--cacert config/certs/ca/ca.crt" in node["healthcheck"]["test"][1]
    assert "https://localhost:9200" in node["healthcheck"]["test"][1]


def test_the_setup_services_generate_certificates_and_the_apps_user(compose: dict[str, Any]) -> None:
    certs = _script(compose["services"]["es-certs"]["command"])
    assert "elasticsearch-certutil ca" in certs and "elasticsearch-certutil cert" in certs
    user = _script(compose["services"]["es-user"]["command"])
    assert "_security/role/answerfirst" in user and '\\"answerfirst-*\\"' in user
    assert "_security/user/answerfirst" in user
    if shutil.which("bash"):
        for script in (certs, user):
            assert subprocess.run(["bash", "-n", "-c", script], capture_output=True).returncode == 0


@pytest.mark.parametrize("service", ["web", "worker", "beat", "migrate"])
def test_the_app_connects_through_the_elasticsearch_settings(compose: dict[str, Any], service: str) -> None:
    environment = compose["services"][service]["environment"]
    assert environment["ELASTICSEARCH_URL"] == "https://elasticsearch:9200"
    assert environment["ELASTICSEARCH_CA_CERTS"] == "/certs/ca/ca.crt"
    assert environment["ELASTICSEARCH_USERNAME"] == "answerfirst"
    assert environment["ELASTICSEARCH_PASSWORD"].startswith("${ELASTICSEARCH_APP_PASSWORD:?")
    assert "certs:/certs:ro" in compose["services"][service]["volumes"]
    # The user exists before anything connects: directly, or through the migrate service.
    waits_for = compose["services"][service]["depends_on"]
    if "es-user" not in waits_for:
        waits_for = compose["services"]["migrate"]["depends_on"] if "migrate" in waits_for else {}
    assert waits_for["es-user"] == {"condition": "service_completed_successfully"}
    for name in environment:
        if name.startswith("ELASTICSEARCH_"):
            assert hasattr(base, name), f"{name} in docker-compose.yml is no setting"


def test_env_example_lists_what_compose_requires(compose: dict[str, Any]) -> None:
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert required == {"SECRET_KEY", "ELASTIC_PASSWORD", "ELASTICSEARCH_APP_PASSWORD"}
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert required <= listed


def test_every_elasticsearch_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    settings = [name for name in dir(base) if name.startswith("ELASTICSEARCH_")]
    assert len(settings) >= 11
    for name in settings:
        assert f"`{name}`" in readme, f"{name} is missing from the README's configuration table"
