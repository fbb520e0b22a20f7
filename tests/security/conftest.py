"""Security tests: the failure tests' throw-away deployment, the tickets suite's world of people."""

import pytest

from tests.failures.conftest import product  # noqa: F401 - the fixture, shared
from tests.security.urls import Objects, make_objects
from tests.tickets.conftest import World, world  # noqa: F401 - the fixture, shared


@pytest.fixture
def objects(world: World, settings: object, tmp_path: object) -> Objects:  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    from django.core.cache import cache

    cache.clear()
    return make_objects(world)
