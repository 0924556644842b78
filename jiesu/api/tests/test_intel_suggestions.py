"""`GET /api/tickets/{number}/suggestions`, `GET /api/intel/models`, and suggestions made when a
ticket is created through the API with screening on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.intel.models import TicketSuggestion
from jiesu.intel.suggest.services import suggestions_train
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("intel_model_root"),
]


@pytest.fixture
def categories(tmp_path: Path, world: World) -> dict[str, Category]:
    made = categories_make(tmp_path)
    history_make(world, made)
    suggestions_train()
    return made


def test_a_ticket_created_through_the_api_gets_suggestions(
    agent: ApiClient, world: World, categories: dict[str, Category], settings: Any
) -> None:
    settings.INTEL_SCREENING = True
    body = {"title": "咨询低保申请条件", "content": "最低生活保障需要哪些材料", "district": world.district.pk}
    response = agent.post("/api/tickets", body)
    assert response.status_code == 201, response.content.decode()
    ticket = Ticket.objects.get(number=response.json()["number"])
    suggestion = TicketSuggestion.objects.get(ticket=ticket)
    assert suggestion.suggestions["category_3"][0]["value"] == str(categories["低保"].pk)
    shown = agent.get(f"/api/tickets/{ticket.number}/suggestions").json()
    assert shown["model_version"] == 1
    fields = {f["field"]: f for f in shown["fields"]}
    assert [f["field"] for f in shown["fields"]][:3] == ["category_1", "category_2", "category_3"]
    assert fields["lead_unit"]["candidates"][0] == {
        "value": str(world.office.pk),
        "label": world.office.name,
        "confidence": fields["lead_unit"]["candidates"][0]["confidence"],
    }
    assert fields["kind"]["label"] == "诉求类型"


def test_suggestions_are_scope_checked(as_user: ClientFor, world: World) -> None:
    ticket = new_ticket(world)
    assert_error(as_user(world.other_staff).get(f"/api/tickets/{ticket.number}/suggestions"), 404, "not_found")
    assert_error(
        as_user(world.township_staff).get(f"/api/tickets/{ticket.number}/suggestions"), 403, "permission_denied"
    )
    empty = as_user(world.agent).get(f"/api/tickets/{ticket.number}/suggestions").json()
    assert empty == {"model_version": None, "created_at": None, "fields": []}


def test_models_list_their_figures(as_user: ClientFor, world: World, categories: dict[str, Category]) -> None:
    body = as_user(world.analyst).get("/api/intel/models").json()
    (version,) = body["versions"]
    assert version["version"] == 1 and version["is_active"] and version["rows"] == 150
    heads = {h["field"]: h for h in version["heads"]}
    assert heads["category_3"]["rows"] == 30 and heads["category_3"]["top3_accuracy"] is not None
    assert {a["field"] for a in body["acceptance_30_days"]} == {"category", "kind", "urgency", "lead_unit"}
    assert_error(as_user(world.agent).get("/api/intel/models"), 403, "permission_denied")
