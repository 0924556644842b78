"""`demo_setup`: everything `make demo` needs after migrate, idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from jiesu.orgs.demo import DemoLogin, demo_users_ensure
from jiesu.orgs.services import units_seed_beijing
from jiesu.tickets.demo.loader import DemoDataResult, demo_data_load
from jiesu.tickets.models import ReplyElementScheme, Ticket
from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv
from jiesu.tickets.services.reply_elements import (
    DEFAULT_SCHEME_FILE,
    reply_element_file_read,
    reply_element_scheme_set,
)

DEMO_TICKETS, DEMO_DAYS, DEMO_SEED = 2000, 120, 12345


@dataclass
class DemoSetupResult:
    units: str
    categories: str
    reply_elements: str
    logins: list[DemoLogin]
    data: DemoDataResult | None  # None when the database already had tickets


def demo_setup() -> DemoSetupResult:
    """Seed units, categories and demo accounts; generate demo tickets only into an empty database."""
    units = "北京市单位树：" + units_seed_beijing().summary()
    categories = "问题分类：" + categories_load_csv(path=SEED_CATEGORIES).summary()
    logins = demo_users_ensure()
    data = None
    if not Ticket.objects.exists():
        data = demo_data_load(tickets=DEMO_TICKETS, days=DEMO_DAYS, seed=DEMO_SEED)
    return DemoSetupResult(
        units=units, categories=categories, reply_elements=_reply_elements(), logins=logins, data=data
    )


def _reply_elements() -> str:
    """The default checklist from today; the generated history, replied before it was set, is kept as is."""
    current = ReplyElementScheme.objects.order_by("-valid_from").first()
    if current is not None:
        return f"反馈要素：已有方案 {current.code}，自 {current.valid_from} 起生效"
    header, elements = reply_element_file_read(DEFAULT_SCHEME_FILE)
    start = timezone.localdate()
    scheme = reply_element_scheme_set(
        valid_from=start, elements=elements, code=header.get("code", ""), name=header.get("name", "")
    )
    return f"反馈要素：默认方案 {scheme.code}（{len(elements)} 项）自 {start} 起生效"
