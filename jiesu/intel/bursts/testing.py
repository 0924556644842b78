"""Test set-up for bursts: a small category tree and tickets placed on chosen days (bulk-created:
the detection reads only stored rows, and years of history through intake would be slow)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.services.categories import categories_load_csv

CATEGORIES = (
    "一级分类,二级分类,三级分类,编码\n"
    "城乡建设,供暖,室温不达标,01.01.01\n"
    "城乡建设,供暖,停暖,01.01.02\n"
    "城乡建设,道路,路面破损,01.02.01\n"
)
_numbers = itertools.count(1)


def categories_make(folder: Path) -> dict[str, Category]:
    """Name → category of a three-level tree: 城乡建设 › 供暖 › {室温不达标, 停暖}, › 道路 › 路面破损."""
    path = folder / "categories.csv"
    path.write_text(CATEGORIES, encoding="utf-8")
    categories_load_csv(path=path)
    return {c.name: c for c in Category.objects.all()}


def tickets_on(
    day: date,
    n: int,
    *,
    category: Category,
    township: Unit,
    title: str = "小区暖气不热",
    content: str = "家中暖气温度不够，室温不足16度",
) -> list[Ticket]:
    """`n` tickets received on `day` (spread over the working hours) from `n` requesters."""
    start = timezone.make_aware(datetime.combine(day, time(8)))
    rows = []
    for i in range(n):
        serial = next(_numbers)
        rows.append(
            Ticket(
                number=f"B{day:%Y%m%d}{serial:06d}",
                title=title,
                content=content,
                received_at=start + timedelta(minutes=7 * i),
                requester_phone=f"139{serial:08d}",
                category=category,
                district=township.parent,
                township=township,
            )
        )
    return Ticket.objects.bulk_create(rows)


def week_of(end: date, per_day: int, **kwargs: object) -> list[Ticket]:
    """`per_day` tickets on each of the seven days ending on `end`."""
    made: list[Ticket] = []
    for offset in range(7):
        made += tickets_on(end - timedelta(days=offset), per_day, **kwargs)  # type: ignore[arg-type]
    return made
