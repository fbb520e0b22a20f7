"""How the Elasticsearch backend connects: TLS, credentials, several nodes, timeouts, retries.

Real sockets on 127.0.0.1 (plain, TLS with a certificate made here by ``openssl``, and one that
accepts connections and never answers), the real client, and the backend's settings.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import Environment
from search.backends.elastic import ElasticsearchBackend, build_client
from search.health import SearchUnavailable
from search.query import prepare_query
from search.service import search_articles
from tests.search.factories import doc
from tests.search.test_elastic import FakeCluster, _bulk_ok, start_cluster


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), as Elasticsearch 8 generates at first start."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_cluster(settings: Any, certificate: tuple[Path, Path]) -> Iterator[FakeCluster]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    fake, server = start_cluster(context)
    settings.ELASTICSEARCH_URL = fake.url
    settings.ELASTICSEARCH_INDEX_PREFIX = "af"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def cluster(settings: Any) -> Iterator[FakeCluster]:
    fake, server = start_cluster()
    settings.ELASTICSEARCH_URL = fake.url
    settings.ELASTICSEARCH_INDEX_PREFIX = "af"
    yield fake
    server.shutdown()
    server.server_close()


# --- TLS ----------------------------------------------------------------------------------------


def test_an_untrusted_certificate_is_a_clear_tls_failure(tls_cluster: FakeCluster) -> None:
    with pytest.raises(SearchUnavailable, match=r"TLS failure .*ELASTICSEARCH_CA_CERTS"):
        ElasticsearchBackend("main").ping()
    assert tls_cluster.requests == []


def test_the_clusters_ca_bundle_is_trusted(
    tls_cluster: FakeCluster, settings: Any, certificate: tuple[Path, Path]
) -> None:
    settings.ELASTICSEARCH_CA_CERTS = str(certificate[0])
    assert ElasticsearchBackend("main").ping() == "elasticsearch"
    assert [r.path for r in tls_cluster.requests] == ["/"]


def test_the_certificates_fingerprint_is_trusted(
    tls_cluster: FakeCluster, settings: Any, certificate: tuple[Path, Path]
) -> None:
    der = ssl.PEM_cert_to_DER_cert(certificate[0].read_text())
    fingerprint = hashlib.sha256(der).hexdigest()
    settings.ELASTICSEARCH_SSL_FINGERPRINT = ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    assert ElasticsearchBackend("main").ping() == "elasticsearch"
    settings.ELASTICSEARCH_SSL_FINGERPRINT = "00" * 32
    with pytest.raises(SearchUnavailable, match="TLS failure"):
        ElasticsearchBackend("main").ping()


# --- credentials and nodes ----------------------------------------------------------------------


def test_an_api_key_is_sent(cluster: FakeCluster, settings: Any) -> None:
    settings.ELASTICSEARCH_API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    ElasticsearchBackend("main").ping()
    assert cluster.requests[0].headers["authorization"] == f"ApiKey {settings.ELASTICSEARCH_API_KEY}"


def test_a_user_and_password_are_sent(cluster: FakeCluster, settings: Any) -> None:
    settings.ELASTICSEARCH_USERNAME = "answerfirst"
    settings.ELASTICSEARCH_PASSWORD = "s3cret:with colon"
    ElasticsearchBackend("main").ping()
    expected = base64.b64encode(b"answerfirst:s3cret:with colon").decode()
    assert cluster.requests[0].headers["authorization"] == f"Basic {expected}"


def test_a_cloud_id_names_the_deployment(settings: Any) -> None:
    settings.ELASTICSEARCH_URL = None
    settings.ELASTICSEARCH_CLOUD_ID = "prod:" + base64.b64encode(b"eu-west-1.aws.found.io$abc123$def456").decode()
    (node,) = build_client().transport.node_pool.all()
    assert (node.config.scheme, node.config.host, node.config.port) == ("https", "abc123.eu-west-1.aws.found.io", 443)


def test_a_malformed_cloud_id_is_unavailable_not_a_crash(settings: Any) -> None:
    settings.ELASTICSEARCH_URL = None
    settings.ELASTICSEARCH_CLOUD_ID = "not-a-cloud-id"
    with pytest.raises(SearchUnavailable, match="invalid connection settings"):
        ElasticsearchBackend("main").ping()


def test_several_nodes_a_dead_one_is_skipped(cluster: FakeCluster, settings: Any, db: None) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings.ELASTICSEARCH_URL = f"{dead},{cluster.url}"
    for _ in range(2):
        results = search_articles("password", language="en", audiences=["public"])
        assert not results.degraded
    assert len(cluster.calls("POST", r"/.*/_search")) == 2


# --- timeouts and retries -----------------------------------------------------------------------


@pytest.fixture
def silent_node(settings: Any) -> Iterator[str]:
    """Accepts connections (the kernel does) and never answers: a hung or overloaded node."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings.ELASTICSEARCH_REQUEST_TIMEOUT = 0.5
        yield settings.ELASTICSEARCH_URL


def test_a_search_times_out_once_then_the_database_answers_at_once(silent_node: str, db: None) -> None:
    backend = ElasticsearchBackend("main")
    started = time.monotonic()
    with pytest.raises(SearchUnavailable, match="timed out"):
        backend.search(prepare_query("password", "en"), audiences=["public"], limit=5, offset=0)
    first = time.monotonic() - started
    assert 0.4 < first < 1.5  # the request timeout, not retried
    started = time.monotonic()
    results = search_articles("password", language="en", audiences=["public"])
    assert results.degraded
    assert time.monotonic() - started < 0.3  # the engine is skipped for a moment


def test_a_slow_bulk_gets_its_own_timeout_and_is_retried(cluster: FakeCluster, settings: Any) -> None:
    settings.ELASTICSEARCH_REQUEST_TIMEOUT = 0.2  # searches
    settings.ELASTICSEARCH_BULK_TIMEOUT = 1.0
    calls = []

    def slow_first(method: str, path: str, body: Any) -> tuple[int, Any]:
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(1.5)  # longer than the bulk timeout: the client gives up and sends it again
        else:
            time.sleep(0.5)  # longer than a search may take, shorter than a bulk may
        return _bulk_ok(method, path, body)

    cluster.route("PUT", "/_bulk", slow_first)
    assert ElasticsearchBackend("main").index([doc("1", "en", "One")]) == 1
    assert len(calls) == 2


def test_retries_are_bounded(cluster: FakeCluster, settings: Any) -> None:
    settings.ELASTICSEARCH_MAX_RETRIES = 2
    cluster.route(
        "PUT",
        "/_bulk",
        (503, {"error": {"type": "unavailable_shards_exception", "reason": "primary shard is not active"}}),
    )
    with pytest.raises(SearchUnavailable, match="unavailable_shards_exception"):
        ElasticsearchBackend("main").index([doc("1", "en", "One")])
    assert len(cluster.calls("PUT", "/_bulk")) == 3  # the first try and two retries


# --- settings -----------------------------------------------------------------------------------


def test_urls_and_numbers_are_checked_naming_the_variable() -> None:
    env = Environment({"ES": "https://a:9200, https://b:9200", "T": "2.5", "BAD": "ftp://x", "NAN": "soon"})
    assert env.urls("ES", schemes={"http", "https"}) == ["https://a:9200", "https://b:9200"]
    assert env.float("T", 5.0) == 2.5
    assert env.urls("MISSING", schemes={"https"}) == []
    with pytest.raises(ImproperlyConfigured, match="BAD must be a URL"):
        env.urls("BAD", schemes={"http", "https"})
    with pytest.raises(ImproperlyConfigured, match="NAN must be a number"):
        env.float("NAN", 5.0)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ELASTICSEARCH_API_KEY": "k", "ELASTICSEARCH_USERNAME": "u", "ELASTICSEARCH_PASSWORD": "p"}, "not both"),
        ({"ELASTICSEARCH_USERNAME": "u"}, "go together"),
        ({"ELASTICSEARCH_CA_CERTS": "/ca.crt", "ELASTICSEARCH_SSL_FINGERPRINT": "ab" * 32}, "not both"),
        ({"ELASTICSEARCH_SSL_FINGERPRINT": "abc"}, "64 hex digits"),
        ({"ELASTICSEARCH_REQUEST_TIMEOUT": "0"}, "ELASTICSEARCH_REQUEST_TIMEOUT must be at least"),
        ({"ELASTICSEARCH_URL": "https://es:9200,elasticsearch:9200"}, "ELASTICSEARCH_URL must be a URL"),
    ],
)
def test_conflicting_or_malformed_settings_stop_start_up(variables: dict[str, str], message: str) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ELASTICSEARCH_")}
    environment |= {"ELASTICSEARCH_URL": "https://es:9200", **variables, "DJANGO_SETTINGS_MODULE": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings.base"],
        env=environment,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert message in result.stderr
