"""Test set-up for the ticket suggestions: a small category tree and closed tickets whose text
clearly signals their category, kind, urgency and lead unit. The history is bulk-created (training
reads only stored rows; hundreds of tickets through every workflow step would be slow); the
tickets the tests then triage or dispatch go through the real services."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from jiesu.orgs.models import Unit
from jiesu.orgs.testing import World
from jiesu.tickets.choices import Kind, TicketStatus, Urgency
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.services.categories import categories_load_csv

CATEGORIES = (
    "一级分类,二级分类,三级分类,编码\n"
    "城乡建设,供暖,室温不达标,S01.01.01\n"
    "城乡建设,供暖,停暖,S01.01.02\n"
    "城乡建设,道路,路面破损,S01.02.01\n"
    "环境保护,噪声,施工噪声,S02.01.01\n"
    "交通管理,停车,违章停车,S03.01.01\n"
    "民生保障,社会救助,低保,S04.01.01\n"
)


@dataclass(frozen=True)
class Topic:
    category: str  # leaf name
    phrases: tuple[str, ...]
    kind: str
    urgency: str
    unit: str  # attribute of World


TOPICS = (
    Topic(
        "室温不达标",
        ("暖气不热", "室温只有十五度", "供热温度不达标", "家里暖气片冰凉"),
        Kind.COMPLAINT,
        Urgency.NORMAL,
        "township",
    ),
    Topic(
        "停暖", ("整栋楼突然停暖", "供热管道爆裂停止供暖", "锅炉故障全小区停暖"), Kind.HELP, Urgency.URGENT, "township"
    ),
    Topic(
        "路面破损",
        ("道路路面破损", "马路上出现大坑", "人行道地砖塌陷坑洼"),
        Kind.REPORT,
        Urgency.NORMAL,
        "other_township",
    ),
    Topic(
        "施工噪声",
        ("工地夜间施工噪音", "凌晨打桩声音扰民", "施工机械轰鸣影响休息"),
        Kind.COMPLAINT,
        Urgency.NORMAL,
        "district",
    ),
    Topic(
        "违章停车",
        ("车辆违章停车", "私家车占用消防通道", "路边乱停车堵塞交通"),
        Kind.REPORT,
        Urgency.NORMAL,
        "other_township",
    ),
    Topic(
        "低保",
        ("咨询低保申请条件", "最低生活保障需要哪些材料", "低保金什么时候发放"),
        Kind.CONSULTATION,
        Urgency.NORMAL,
        "office",
    ),
)
FILLERS = ("请尽快处理", "希望有关部门重视", "已经持续好几天了", "多次反映没有解决", "麻烦帮忙协调", "")
PLACES = ("望京西园", "花家地小区", "南湖东园", "利泽西街", "阜通东大街")
_serial = itertools.count(1)


def categories_make(folder: Path) -> dict[str, Category]:
    path = folder / "suggest-categories.csv"
    path.write_text(CATEGORIES, encoding="utf-8")
    categories_load_csv(path=path)
    return {c.name: c for c in Category.objects.all()}


def topic_text(topic: Topic, rng: random.Random) -> tuple[str, str]:
    phrase = rng.choice(topic.phrases)
    place = rng.choice(PLACES)
    return f"{place}{phrase}", f"{place}{rng.choice(topic.phrases)}，{phrase}，{rng.choice(FILLERS)}"


def history_make(world: World, categories: dict[str, Category], *, per_topic: int = 25, seed: int = 1) -> list[Ticket]:
    """`per_topic` closed tickets per topic, interleaved over the last 60 days."""
    rng = random.Random(seed)
    now = timezone.now()
    rows = []
    order = [t for t in TOPICS for _ in range(per_topic)]
    rng.shuffle(order)
    for i, topic in enumerate(order):
        title, content = topic_text(topic, rng)
        received = now - timedelta(days=60) + timedelta(minutes=97 * i)
        unit: Unit = getattr(world, topic.unit)
        rows.append(
            Ticket(
                number=f"S{next(_serial):08d}",
                title=title,
                content=content,
                received_at=received,
                closed_at=received + timedelta(days=2),
                status=TicketStatus.CLOSED,
                category=categories[topic.category],
                kind=topic.kind,
                urgency=topic.urgency,
                lead_unit=unit,
                district=world.district,
                township=world.township,
            )
        )
    return Ticket.objects.bulk_create(rows)
