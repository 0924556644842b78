"""Ticket suggestions: training from the database, versions, activation, suggestions per head."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiesu.intel import modelfile
from jiesu.intel.errors import IntelError, ModelFileError
from jiesu.intel.models import ModelVersion, TicketSuggestion
from jiesu.intel.suggest import registry
from jiesu.intel.suggest.heads import LEAD_UNIT, category_head
from jiesu.intel.suggest.services import suggestions_make, suggestions_train
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World
from jiesu.tickets.choices import Kind, Urgency
from jiesu.tickets.models import Category
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intel_model_root")]


@pytest.fixture
def categories(tmp_path: Path, world: World) -> dict[str, Category]:
    made = categories_make(tmp_path)
    history_make(world, made)
    return made


def top(suggestion: TicketSuggestion, head: str) -> str:
    return str(suggestion.suggestions[head][0]["value"])


def test_without_an_active_model_there_is_no_suggestion(world: World) -> None:
    registry.cache_clear()
    assert suggestions_make(new_ticket(world)) is None
    assert not TicketSuggestion.objects.exists()


def test_training_stores_a_versioned_file_with_its_evaluation(
    categories: dict[str, Category], intel_model_root: Path
) -> None:
    version = suggestions_train(note="测试")
    assert (version.version, version.is_active, version.rows) == (1, True, 150)
    path = Path(version.path)
    assert path == intel_model_root / "suggest" / "v1.joblib"
    assert registry.file_sha256(path) == version.sha256
    heads = version.evaluation["heads"]
    assert set(heads) == {category_head(1), category_head(2), category_head(3), "kind", "urgency", LEAD_UNIT}
    assert version.evaluation["test_rows"] == 30 and version.evaluation["train_rows"] == 120
    for figures in heads.values():
        assert set(figures) >= {"rows", "accuracy", "macro_f1", "top3_accuracy"}
        assert figures["rows"] == 30
    # The signal is clear: the held-out newest 20 % is classified almost perfectly.
    assert heads[category_head(3)]["accuracy"] >= 0.9
    assert heads[category_head(1)]["top3_accuracy"] == 1.0
    sidecar = json.loads(modelfile.sidecar(path).read_text(encoding="utf-8"))
    assert sidecar["metadata"]["evaluation"]["heads"][category_head(3)]["classes"]


def test_each_head_learns_from_the_text(world: World, categories: dict[str, Category]) -> None:
    suggestions_train()
    heating = suggestions_make(new_ticket(world, "望京西园暖气不热", content="家里暖气片冰凉，室温只有十五度"))
    assert heating is not None
    assert top(heating, category_head(1)) == str(categories["城乡建设"].pk)
    assert top(heating, category_head(2)) == str(categories["供暖"].pk)
    assert top(heating, category_head(3)) == str(categories["室温不达标"].pk)
    assert top(heating, "kind") == Kind.COMPLAINT
    assert top(heating, LEAD_UNIT) == str(world.township.pk)
    welfare = suggestions_make(new_ticket(world, "咨询低保申请条件", content="最低生活保障需要哪些材料"))
    assert welfare is not None
    assert top(welfare, category_head(3)) == str(categories["低保"].pk)
    assert top(welfare, "kind") == Kind.CONSULTATION
    assert top(welfare, LEAD_UNIT) == str(world.office.pk)
    assert welfare.suggestions[LEAD_UNIT][0]["label"] == world.office.name
    stop = suggestions_make(new_ticket(world, "全小区停暖", content="锅炉故障全小区停暖，供热管道爆裂停止供暖"))
    assert stop is not None and top(stop, "urgency") == Urgency.URGENT
    for candidates in heating.suggestions.values():
        assert 1 <= len(candidates) <= 3
        confidences = [c["confidence"] for c in candidates]
        assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1


def test_deeper_category_levels_lie_under_the_suggested_parent(world: World, categories: dict[str, Category]) -> None:
    suggestions_train()
    by_pk = {str(c.pk): c for c in categories.values()}
    for title in ("马路上出现大坑", "工地夜间施工噪音", "暖气不热", "随便说点什么别的事情"):
        made = suggestions_make(new_ticket(world, title, content=title))
        assert made is not None
        for level in (2, 3):
            parent = top(made, category_head(level - 1))
            for candidate in made.suggestions.get(category_head(level), []):
                assert str(by_pk[candidate["value"]].parent_id) == parent


def test_a_suggestion_is_stored_once_per_ticket_and_version(world: World, categories: dict[str, Category]) -> None:
    suggestions_train()
    ticket = new_ticket(world)
    first = suggestions_make(ticket)
    assert first is not None and suggestions_make(ticket) == first
    assert TicketSuggestion.objects.filter(ticket=ticket).count() == 1


def test_versions_are_never_overwritten_and_activation_switches_the_served_model(
    world: World, categories: dict[str, Category]
) -> None:
    first = suggestions_train()
    before = Path(first.path).read_bytes()
    second = suggestions_train(activate=False)
    assert second.version == 2 and not second.is_active
    assert ModelVersion.objects.get(version=1).is_active
    ticket = new_ticket(world)
    assert suggestions_make(ticket).model_version == first  # type: ignore[union-attr]
    registry.model_activate(version=2, actor=world.shift_lead)
    assert list(ModelVersion.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    made = suggestions_make(ticket)
    assert made is not None and made.model_version.version == 2
    assert Path(first.path).read_bytes() == before
    registry.model_path(3).parent.mkdir(parents=True, exist_ok=True)
    registry.model_path(3).write_bytes(b"someone else's file")
    with pytest.raises(IntelError, match="不会覆盖"):
        suggestions_train()


def test_a_changed_model_file_is_neither_activated_nor_loaded(world: World, categories: dict[str, Category]) -> None:
    suggestions_train()
    suggestions_train(activate=False)
    Path(registry.model_path(2)).write_bytes(b"tampered")
    with pytest.raises(ModelFileError, match="校验值"):
        registry.model_activate(version=2, actor=None)
    ModelVersion.objects.filter(version=2).update(is_active=True)
    ModelVersion.objects.filter(version=1).update(is_active=False)
    with pytest.raises(ModelFileError, match="拒绝加载"):
        suggestions_make(new_ticket(world))


def test_training_refuses_too_little_data(world: World) -> None:
    with pytest.raises(IntelError, match="至少需要"):
        suggestions_train()
