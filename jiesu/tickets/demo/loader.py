"""Loading demo data: reference data first, then the generated ledger through the importer,
then a few dozen live steps through the verb services for states a ledger cannot express."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.demo import WANGJING_CODE, DemoLogin, demo_users_ensure
from jiesu.orgs.models import Unit
from jiesu.orgs.services import units_seed_beijing
from jiesu.tickets.demo.generator import DemoSpec, Place, anchor_for, ledger_rows, ledger_write
from jiesu.tickets.demo.live import LiveResult, demo_live_steps
from jiesu.tickets.demo.topics import TOPICS
from jiesu.tickets.importing.service import ImportSummary, tickets_import
from jiesu.tickets.models import Category
from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv

DEMO_SOURCE = "demo"
# The demo township staff works in 望京, one of Beijing's most populous townships: weight it so
# that its account has a realistic amount of work.
FOCUS_WEIGHTS = {WANGJING_CODE: 5.0}


@dataclass
class DemoDataResult:
    path: Path
    rows: int
    summary: ImportSummary
    live: LiveResult
    new_logins: list[DemoLogin] = field(default_factory=list)


def demo_reference_ensure() -> list[DemoLogin]:
    """Seed the Beijing tree and the categories when absent; ensure the demo accounts.

    Returns the logins of accounts created now (their passwords are also in demo-logins.txt).
    """
    if not Unit.objects.filter(kind=UnitKind.DISTRICT).exists():
        units_seed_beijing()
    if not Category.objects.exists():
        categories_load_csv(path=SEED_CATEGORIES)
    return [x for x in demo_users_ensure() if x.created]


def _unit_cell(unit: Unit, name_counts: Counter[str]) -> str:
    """A real ledger names units; a code is used only where the name is ambiguous."""
    return unit.name if name_counts[unit.name] == 1 or not unit.code else unit.code


def demo_places() -> tuple[Place, ...]:
    """Every active township with its district, in code order."""
    name_counts = Counter(Unit.objects.values_list("name", flat=True))
    townships = (
        Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True, parent__kind=UnitKind.DISTRICT)
        .select_related("parent")
        .order_by("code", "pk")
    )
    places = []
    for township in townships:
        district = township.parent
        if district is None:
            continue
        places.append(
            Place(
                district=district.name,
                township=township.name,
                district_code=district.code,
                district_cell=_unit_cell(district, name_counts),
                township_cell=_unit_cell(township, name_counts),
                weight=FOCUS_WEIGHTS.get(township.code, 1.0),
            )
        )
    return tuple(places)


def _category_paths() -> set[str]:
    rows = {c.pk: c for c in Category.objects.filter(is_active=True).only("id", "name", "parent_id")}
    paths = set()
    for category in rows.values():
        names, parent = [category.name], category.parent_id
        while parent is not None and parent in rows:
            names.append(rows[parent].name)
            parent = rows[parent].parent_id
        paths.add("/".join(reversed(names)))
    return paths


def demo_category_labels() -> dict[str, str]:
    """Topic → the first of its candidate category paths that exists here ("" when none does)."""
    paths = _category_paths()
    return {t.key: next((c for c in t.categories if c in paths), "") for t in TOPICS}


def demo_unit_labels() -> dict[str, str]:
    """Office handlers ("office:社会救助处") → the ledger cell of that office of the demo center."""
    name_counts = Counter(Unit.objects.values_list("name", flat=True))
    offices = {u.name: u for u in Unit.objects.filter(kind=UnitKind.OFFICE, parent__kind=UnitKind.CENTER)}
    labels = {}
    for handler in {t.handler for t in TOPICS if t.handler.startswith("office:")}:
        office = offices.get(handler.partition(":")[2])
        if office is not None:
            labels[handler] = _unit_cell(office, name_counts)
    return labels


def demo_spec(*, tickets: int, days: int, seed: int, anchor: datetime | None = None) -> DemoSpec:
    """The spec for this database: its townships, categories and offices."""
    places = demo_places()
    if not places:
        raise ValueError("no townships: seed the unit tree first (jiesu units seed-beijing)")
    return DemoSpec(
        tickets=tickets,
        days=days,
        seed=seed,
        anchor=anchor or anchor_for(timezone.localtime()),
        places=places,
        category_labels=demo_category_labels(),
        unit_labels=demo_unit_labels(),
    )


def demo_ledger_path(spec: DemoSpec) -> Path:
    name = f"demo-ledger-{spec.anchor:%Y%m%d}-seed{spec.seed}-{spec.tickets}x{spec.days}d.csv"
    return Path(settings.VAR_DIR) / "demo" / name


def demo_data_load(
    *,
    tickets: int,
    days: int,
    seed: int,
    anchor: datetime | None = None,
    live: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> DemoDataResult:
    """Generate the ledger, write it under var/demo/, import it as source "demo", then live steps."""
    new_logins = demo_reference_ensure()
    spec = demo_spec(tickets=tickets, days=days, seed=seed, anchor=anchor)
    path = demo_ledger_path(spec)
    rows = ledger_write(path, ledger_rows(spec))
    summary = tickets_import(path=path, mapping="jiesu", source=DEMO_SOURCE, progress=progress)
    # Live steps only with a new batch: importing the same ledger again must change nothing.
    steps = demo_live_steps(seed=seed, spec=spec) if live and summary.created else LiveResult()
    return DemoDataResult(path=path, rows=rows, summary=summary, live=steps, new_logins=new_logins)
