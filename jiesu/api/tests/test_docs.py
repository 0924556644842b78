"""The API documents itself offline: Swagger UI and the OpenAPI document come from our own server."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

from jiesu.orgs.testing import World


def test_the_docs_page_loads_no_asset_from_another_host(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    for marker in ("cdn", "jsdelivr", "unpkg", "cdnjs"):
        assert marker not in html.lower()
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), f"static asset missing: {asset}"


def test_the_openapi_document_declares_errors_and_security(db: None) -> None:
    spec = Client().get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if path == "/api/health":
                assert "security" not in operation
                continue
            statuses = set(operation["responses"])
            assert {"401", "403", "422"} <= statuses, (method, path, statuses)
            assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }
            assert operation["security"] == [{"BearerToken": []}, {"SessionUser": []}]


def test_ticket_endpoints_are_all_documented(world: World) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/tickets"]) == {"get", "post"}
    for path in (
        "/api/tickets/{number}",
        "/api/tickets/{number}/events",
        "/api/tickets/{number}/actions/{action}",
        "/api/tickets/{number}/attachments",
        "/api/units",
        "/api/categories",
        "/api/health",
    ):
        assert path in paths
