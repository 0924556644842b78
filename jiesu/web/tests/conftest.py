from collections.abc import Callable

import pytest
from django.test import Client

from jiesu.orgs.models import User

LoginAs = Callable[[User], Client]


@pytest.fixture
def login_as(db: None) -> LoginAs:
    """A fresh client logged in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
