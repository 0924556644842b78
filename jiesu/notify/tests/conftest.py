from collections.abc import Iterator

import pytest

from jiesu.notify.tests.servers import HttpServer, SmtpServer, http_server, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def http() -> Iterator[HttpServer]:
    with http_server() as server:
        yield server
