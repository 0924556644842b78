"""`demo_setup`: everything `make demo` needs after migrate, idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.orgs.demo import DemoLogin, demo_users_ensure
from jiesu.orgs.services import units_seed_beijing
from jiesu.tickets.demo.loader import DemoDataResult, demo_data_load
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv

DEMO_TICKETS, DEMO_DAYS, DEMO_SEED = 2000, 120, 12345


@dataclass
class DemoSetupResult:
    units: str
    categories: str
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
    return DemoSetupResult(units=units, categories=categories, logins=logins, data=data)
