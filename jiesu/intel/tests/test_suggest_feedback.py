"""Agents' answers to suggestions (accepted or corrected), corrections in the next training's
data, and the worker jobs (feedback recording, scheduled retraining)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiesu.intel.choices import SuggestedField
from jiesu.intel.jobs_suggest import suggestions_feedback_job, suggestions_retrain_job
from jiesu.intel.models import ModelVersion, SuggestionFeedback
from jiesu.intel.suggest.dataset import training_set
from jiesu.intel.suggest.heads import LEAD_UNIT, category_head
from jiesu.intel.suggest.services import acceptance_rates, suggestions_make, suggestions_train
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World
from jiesu.tickets.choices import Kind
from jiesu.tickets.models import Category
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intel_model_root")]
TITLE, CONTENT = "望京西园暖气不热", "家里暖气片冰凉，室温只有十五度"


@pytest.fixture
def categories(tmp_path: Path, world: World) -> dict[str, Category]:
    made = categories_make(tmp_path)
    history_make(world, made)
    return made


def feedback(ticket_id: int) -> dict[str, tuple[str, str, bool]]:
    rows = SuggestionFeedback.objects.filter(ticket_id=ticket_id)
    return {r.field: (r.suggested, r.chosen, r.accepted) for r in rows}


def test_triage_and_dispatch_record_acceptance_and_corrections(world: World, categories: dict[str, Category]) -> None:
    version = suggestions_train()
    ticket = new_ticket(world, TITLE, content=CONTENT)
    suggestion = suggestions_make(ticket)
    assert suggestion is not None
    leaf = categories["室温不达标"]
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    # The category as suggested; the kind corrected from 投诉 to 求助.
    dispatch.ticket_triage(ticket=ticket, actor=world.agent, category=leaf, kind=Kind.HELP)
    assert suggestions_feedback_job(timezone.now()) == 3
    answers = feedback(ticket.pk)
    assert answers[SuggestedField.CATEGORY] == (str(leaf.pk), str(leaf.pk), True)
    assert answers[SuggestedField.KIND] == (Kind.COMPLAINT, Kind.HELP, False)
    assert answers[SuggestedField.URGENCY][2] is True
    assert suggestions_feedback_job(timezone.now()) == 0  # idempotent
    # Dispatched to another unit than the suggested township: a correction.
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.other_township)
    assert suggestions_feedback_job(timezone.now()) == 1
    assert feedback(ticket.pk)[LEAD_UNIT] == (str(world.township.pk), str(world.other_township.pk), False)
    assert suggestions_feedback_job(timezone.now()) == 0
    row = SuggestionFeedback.objects.get(ticket=ticket, field=LEAD_UNIT)
    assert (row.model_version, row.actor) == (version, world.agent)
    rates = acceptance_rates(since=timezone.now() - timedelta(days=30))
    assert rates[SuggestedField.KIND] == {"total": 1, "accepted": 0, "rate": 0.0}
    assert rates[SuggestedField.CATEGORY]["rate"] == 1.0


def test_corrections_of_open_tickets_enter_the_next_training(world: World, categories: dict[str, Category]) -> None:
    suggestions_train()
    ticket = new_ticket(world, "楼道里堆满杂物", content="楼道堆放杂物堵塞")
    suggestions_make(ticket)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    road = categories["路面破损"]
    dispatch.ticket_triage(ticket=ticket, actor=world.agent, category=road, kind=Kind.SUGGESTION)
    suggestions_feedback_job(timezone.now())
    data = training_set()
    assert len(data.texts) == 151
    row = next(i for i, text in enumerate(data.texts) if text.startswith("楼道里堆满杂物"))
    assert data.labels[category_head(3)][row] == str(road.pk)
    assert data.labels[category_head(1)][row] == str(categories["城乡建设"].pk)
    assert data.labels["kind"][row] == Kind.SUGGESTION
    assert data.labels[LEAD_UNIT][row] == ""  # not decided yet: no label for that head
    assert row == len(data.texts) - 1  # the newest row comes last
    assert len(training_set(limit=10).texts) == 10


def test_the_retrain_job_trains_when_enough_tickets_exist_then_on_schedule(
    world: World, categories: dict[str, Category], settings: Any
) -> None:
    settings.INTEL_MIN_TRAINING_ROWS = 1000
    assert suggestions_retrain_job(timezone.now()) == 0
    settings.INTEL_MIN_TRAINING_ROWS = 100
    assert suggestions_retrain_job(timezone.now()) == 1
    assert ModelVersion.objects.get().is_active
    assert suggestions_retrain_job(timezone.now()) == 0  # trained just now
    later = timezone.now() + timedelta(days=settings.INTEL_RETRAIN_DAYS)
    assert suggestions_retrain_job(later) == 1
    assert list(ModelVersion.objects.values_list("version", "is_active")) == [(2, True), (1, False)]
