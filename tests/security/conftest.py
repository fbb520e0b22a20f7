"""Security tests reuse the failure tests' throw-away deployment (a copy of the migrated database)."""

from tests.failures.conftest import product  # noqa: F401 - the fixture, shared
