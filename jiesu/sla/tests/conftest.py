import pytest
from django.test import Client

from jiesu.orgs.security.testing import client_with_second_factor
from jiesu.orgs.testing import World


@pytest.fixture
def admin_client(world: World) -> Client:
    """The system admin (no superusers in Jiesu), after the second factor."""
    return client_with_second_factor(world.system_admin)
