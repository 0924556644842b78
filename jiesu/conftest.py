from pathlib import Path
from typing import Any

import pytest

from jiesu.orgs.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: results cached under keys made of data that rolls
    back between tests (ids reused on SQLite) would otherwise leak into the next test."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests must restore the data that migrations seed (calendars, rule sets,
    reminder ladder): without serialized_rollback their flush would empty those tables for
    every later test in the same process, and order would decide what passes."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            fixtures & {"transactional_db", "live_server"}
        )
        serialized = (marker is not None and marker.kwargs.get("serialized_rollback")) or (
            "django_db_serialized_rollback" in fixtures
        )
        if transactional and not serialized:
            raise pytest.UsageError(f"{item.nodeid}: transactional tests need serialized_rollback=True")


@pytest.fixture
def intel_model_root(tmp_path: Path, settings: Any) -> Path:
    """A model folder of the test's own for jiesu.intel's suggestion models: the database rolls
    back between tests, files would not; the process's loaded-model cache is emptied too."""
    from jiesu.intel.suggest import registry

    settings.INTEL_MODEL_ROOT = tmp_path / "models"
    registry.cache_clear()
    return Path(settings.INTEL_MODEL_ROOT)
