"""The "智能建议" panel of the ticket page and the models page."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiesu.intel.models import ModelVersion, TicketSuggestion
from jiesu.intel.suggest.services import suggestions_train
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Category
from jiesu.tickets.tests.helpers import PATHS, new_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intel_model_root")]


@pytest.fixture
def categories(tmp_path: Path, world: World) -> dict[str, Category]:
    made = categories_make(tmp_path)
    history_make(world, made)
    suggestions_train()
    return made


def test_the_ticket_page_loads_the_panel_for_agents_at_the_center(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert f'hx-get="/tickets/{ticket.number}/suggestions/"' in page
    assert "web/intel-suggestions.js" in page
    PATHS[TicketStatus.DISPATCHED](world, ticket)
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "suggestions-panel" not in page  # dispatched: no longer the center's decision


def test_without_a_model_the_panel_says_how_to_get_one(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/suggestions/"))
    assert "尚未启用智能建议模型" in page


def test_the_panel_computes_and_shows_the_suggestions(
    login_as: LoginAs, world: World, categories: dict[str, Category]
) -> None:
    ticket = new_ticket(world, "望京西园暖气不热", content="家里暖气片冰凉，室温只有十五度")
    PATHS[TicketStatus.ACKNOWLEDGED](world, ticket)
    response = login_as(world.shift_lead).get(f"/tickets/{ticket.number}/suggestions/")
    page = page_text(response)
    assert response.status_code == 200
    assert TicketSuggestion.objects.filter(ticket=ticket).count() == 1
    assert "模型 v1" in page and "问题分类（三级）" in page and "主办单位" in page
    leaf = categories["室温不达标"]
    assert f'data-target="triaged-category" data-value="{leaf.pk}"' in page
    assert f'data-target="dispatched-lead_unit" data-value="{world.township.pk}"' in page
    assert 'data-target="triaged-kind" data-value="complaint"' in page
    assert '<meter class="confidence"' in page and "style=" not in page
    # The triage and dispatch forms of the page carry the fields the buttons fill.
    detail = page_text(login_as(world.shift_lead).get(f"/tickets/{ticket.number}/"))
    for name in ("triaged-category", "triaged-kind", "dispatched-lead_unit"):
        assert f'name="{name}"' in detail


def test_units_and_other_roles_do_not_get_the_panel(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    url = f"/tickets/{ticket.number}/suggestions/"
    assert login_as(world.township_staff).get(url).status_code == 403  # sees the ticket, not the panel
    assert login_as(world.other_staff).get(url).status_code == 404  # does not see the ticket
    assert login_as(world.analyst).get(url).status_code == 403
    assert login_as(world.outsider).get(url).status_code == 404


def test_the_models_page_lists_versions_and_switches_the_active_one(
    login_as: LoginAs, world: World, categories: dict[str, Category]
) -> None:
    suggestions_train(activate=False)
    page = page_text(login_as(world.analyst).get("/intel/models/"))
    assert "v1" in page and "v2" in page and "前 3 命中率" in page and "近 30 天采纳情况" in page
    assert "启用 v2" not in page  # analysts read, shift leads and admins switch
    assert login_as(world.analyst).post("/intel/models/2/activate").status_code == 403
    lead = login_as(world.shift_lead)
    assert "启用 v2" in page_text(lead.get("/intel/models/"))
    response = lead.post("/intel/models/2/activate", follow=True)
    assert "已启用模型 v2" in page_text(response)
    assert ModelVersion.objects.get(is_active=True).version == 2
    assert login_as(world.agent).get("/intel/models/").status_code == 403
    assert login_as(world.township_staff).get("/intel/models/").status_code == 403
