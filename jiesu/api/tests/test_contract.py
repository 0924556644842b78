"""Contract test: schemathesis fuzzes the API against our own OpenAPI document.

Requests go through the real WSGI application and the real database (SQLite or PostgreSQL,
whichever DATABASE_URL names), authenticated with a center agent's token. `transactional_db`
because the WSGI handler runs outside the test transaction, as in production.
schemathesis' own pytest integration (`from_fixture`) does not run under pytest 9, so each
operation gets a plain Hypothesis test built from `APIOperation.as_strategy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from jiesu.api.urls import api
from jiesu.orgs.services import api_token_create
from jiesu.orgs.testing import build_world
from jiesu.tickets.services.intake import TicketDraft, ticket_create


def _operations() -> dict[str, list[GenerationMode]]:
    """Every operation with valid data; those that take input also with invalid data."""
    operations = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if takes_input else [GenerationMode.POSITIVE]
            operations[f"{method.upper()} {path}"] = modes
    return operations


OPERATIONS = _operations()


# Business rules that a schema cannot express (a blank title, an unknown unit code, an external
# number without its source) are refused with 400, so 400 is an acceptable answer to valid data.
CONFIG = {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}}


@dataclass
class Target:
    schema: schemathesis.BaseSchema
    headers: dict[str, str]
    number: str


@pytest.fixture
def target(django_db_serialized_rollback: None, transactional_db: None) -> Target:
    from jiesu.wsgi import application

    world = build_world()
    ticket = ticket_create(draft=TicketDraft(title="小区路灯不亮", requester_phone="13812341234"), actor=world.agent)
    _, raw = api_token_create(user=world.agent, name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    config = schemathesis.Config.from_dict({**CONFIG, "headers": headers})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=config)
    return Target(schema=schema, headers=headers, number=ticket.number)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_conforms_to_the_openapi_document(target: Target, label: str) -> None:
    operation = target.schema.find_operation_by_label(label)
    assert operation is not None, label
    for mode in OPERATIONS[label]:
        # Random ticket numbers only ever meet 404; valid data aims at a real ticket, so actions run.
        real = {"number": target.number} if "{number}" in label and mode is GenerationMode.POSITIVE else None

        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=real))
        @settings(
            max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=target.headers)

        check()
