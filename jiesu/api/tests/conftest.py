from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from jiesu.orgs.models import User
from jiesu.orgs.services import api_token_create
from jiesu.orgs.testing import World


class ApiClient:
    """A JSON client that authenticates with one user's bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, body or {}, content_type="application/json")

    def act(self, number: str, action: str, **body: Any) -> Any:
        return self.post(f"/api/tickets/{number}/actions/{action}", body)


ClientFor = Callable[[User], ApiClient]


@pytest.fixture
def as_user(world: World) -> ClientFor:
    def client_for(user: User) -> ApiClient:
        _, raw = api_token_create(user=user, name="测试")
        return ApiClient(raw)

    return client_for


@pytest.fixture
def agent(world: World, as_user: ClientFor) -> ApiClient:
    return as_user(world.agent)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The single error shape: {code, message (Chinese), details}."""
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body
