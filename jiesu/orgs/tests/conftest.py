from pathlib import Path

import pytest

# Real public data beside the repository (../shared/data); never copied into it.
SHARED_DATA = Path(__file__).resolve().parents[3] / "../shared/data"


@pytest.fixture(scope="session")
def divisions_dir() -> Path:
    path = (SHARED_DATA / "divisions").resolve()
    if not (path / "streets.csv").is_file():
        pytest.fail(f"shared test data is missing: {path} (the tests need ../shared/data beside the repository)")
    return path
