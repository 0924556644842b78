from collections.abc import Iterator

import pytest

from jiesu.notify.tests.servers import SmtpServer, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server
