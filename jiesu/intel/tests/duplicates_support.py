"""Tickets for the repeat and duplicate tests, created through ticket_create as intake does."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.services.categories import categories_load_csv
from jiesu.tickets.services.intake import TicketDraft, ticket_create

BASE = timezone.make_aware(datetime(2026, 3, 10, 9, 0))
HEATING = "小区暖气不热，室温只有十四度，家中老人孩子受冻，供热公司电话一直打不通，请尽快派人上门检修暖气管道"
# The same account, retold: a few words changed and a clause added.
HEATING_RETOLD = (
    "小区暖气不热，室温只有十四度，家中老人和孩子受冻，供热公司的电话一直打不通，请尽快派人上门检修暖气管道"
)
NOISE = "工地夜间施工噪音扰民，每晚十一点后还在打桩，严重影响周边居民休息，请城管执法部门查处"


def categories(tmp_path: Path) -> dict[str, Category]:
    csv = tmp_path / "categories.csv"
    csv.write_text(
        "一级分类,二级分类,三级分类\n城乡建设,供暖,室温不达标\n城乡建设,供暖,暖气漏水\n城乡建设,噪音,施工噪音\n"
    )
    categories_load_csv(path=csv)
    return {c.name: c for c in Category.objects.all()}


def community(world: World, name: str = "望京西园社区") -> Unit:
    return unit_create(name=name, kind=UnitKind.COMMUNITY, parent=world.township, code=f"C-{name}")


def ticket(
    world: World, *, days: float = 0, title: str = "暖气不热", content: str = HEATING, **fields: object
) -> Ticket:
    """A ticket received `days` after BASE in the world's district and township."""
    draft = TicketDraft(
        title=title,
        content=content,
        received_at=BASE + timedelta(days=days),
        district=world.district,
        township=world.township,
    )
    for name, value in fields.items():
        setattr(draft, name, value)
    return ticket_create(draft=draft, actor=world.agent)
