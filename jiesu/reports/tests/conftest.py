from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiesu.notify.tests.servers import SmtpServer, smtp_server


@pytest.fixture(autouse=True)
def report_root(settings: Any, tmp_path: Path) -> Path:
    # Database rows roll back after each test, files do not: each test gets its own root.
    settings.REPORT_ROOT = tmp_path / "reports"
    return Path(settings.REPORT_ROOT)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that keeps what it receives."""
    with smtp_server() as server:
        yield server
