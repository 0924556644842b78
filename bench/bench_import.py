"""Ledger import throughput: `tickets_import` against a plain `bulk_create` of the same rows.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--keep]

Generates a deterministic ledger CSV (jiesu column set: full histories, self-handled, returned,
open tickets), imports it (tickets + events + assignments + callbacks, deadlines from jiesu.sla),
re-imports it (everything unchanged), and times a baseline that reads the same CSV and
bulk-inserts bare Ticket rows (no events) into the same database in the same run.
SQLite (a temp file) by default; PostgreSQL when DATABASE_URL points at one.
Targets: ≥ 5,000 rows/s and ≤ 3× the baseline's time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 20240415
CHANNELS = ["电话", "电话", "电话", "网站", "微信", "APP", "市级平台"]
KINDS = ["咨询", "求助", "投诉", "投诉", "举报", "建议"]
TOPICS = ["暖气不热", "噪音扰民", "道路破损", "垃圾清运不及时", "物业服务", "违章停车", "工资拖欠", "占道经营"]
CATEGORY_TREE = {
    "城乡建设": {"供暖": ["暖气不热", "停暖"], "住房": ["物业服务", "房屋漏水"]},
    "交通运输": {"道路": ["道路破损", "违章停车"], "公交": ["线路调整"]},
    "环境保护": {"噪音": ["噪音扰民"], "环卫": ["垃圾清运不及时"]},
    "劳动和社会保障": {"劳动关系": ["工资拖欠"], "社保": ["社保转移"]},
    "商贸旅游": {"市场秩序": ["占道经营"], "消费": ["消费纠纷"]},
}
TOPIC_CATEGORY = {
    leaf: f"{a}/{b}/{leaf}" for a, mid in CATEGORY_TREE.items() for b, leaves in mid.items() for leaf in leaves
}
COLUMNS = [
    "工单编号", "受理渠道", "来电时间", "诉求人", "联系电话", "诉求类型", "紧急程度", "标题", "诉求内容", "问题分类",
    "发生地址", "所属区", "所属街乡镇", "主办单位", "协办单位", "签收时间", "首次联系时间", "派单时间", "反馈时间",
    "办结时间", "办理结果", "是否退单", "回访时间", "是否联系", "是否解决", "满意度", "考核范围",
]  # fmt: skip
SATISFACTION = ["满意"] * 7 + ["基本满意"] * 2 + ["不满意"]


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _units(run: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(district code, its township codes) and department codes of this run's org tree."""
    districts = [(f"{run}D{d:02d}", [f"{run}D{d:02d}T{t}" for t in range(4)]) for d in range(16)]
    return districts, [f"{run}O{o:02d}" for o in range(10)]


def _history(rng: random.Random, received: datetime, values: dict[str, str], lead: str) -> None:
    """Fill the timestamp columns: 80% full, 5% self-handled, 5% returned, 5% handling, 5% open."""
    roll = rng.random()
    ack = received + timedelta(minutes=rng.randint(1, 20))
    values["签收时间"] = _fmt(ack)
    if roll > 0.95:
        return
    values["首次联系时间"] = _fmt(ack + timedelta(minutes=rng.randint(5, 90)))
    dispatched = ack + timedelta(minutes=rng.randint(100, 600))
    replied = dispatched + timedelta(hours=rng.randint(4, 120))
    closed = replied + timedelta(hours=rng.randint(1, 24))
    if 0.80 <= roll < 0.85:
        values["主办单位"] = values["协办单位"] = ""
    else:
        values["派单时间"] = _fmt(dispatched)
        values["是否退单"] = "是" if 0.85 <= roll < 0.90 else "否"
        if roll >= 0.90:
            return
        values["反馈时间"] = _fmt(replied)
    values["办结时间"], values["办理结果"] = _fmt(closed), "已联系诉求人并现场处理，问题已解决。"
    values["回访时间"] = _fmt(closed + timedelta(hours=rng.randint(2, 48)))
    values["是否联系"], values["是否解决"] = "是", rng.choice(["是", "是", "是", "否"])
    values["满意度"] = rng.choice(SATISFACTION)


def ledger_rows(rows: int, run: str) -> Iterator[list[str]]:
    rng = random.Random(SEED)
    districts, offices = _units(run)
    first = datetime(2024, 1, 2, tzinfo=SHANGHAI)
    for i in range(rows):
        district, townships = rng.choice(districts)
        township = rng.choice(townships)
        topic = rng.choice(TOPICS)
        lead = township if rng.random() < 0.8 else rng.choice(offices)
        received = first + timedelta(minutes=rng.randrange(340 * 1440))
        values = {
            "工单编号": f"{run}-{i:07d}",
            "受理渠道": rng.choice(CHANNELS),
            "来电时间": _fmt(received),
            "诉求人": rng.choice("张王李赵刘陈杨黄") + "先生",
            "联系电话": f"13{rng.randrange(10**9):09d}",
            "诉求类型": rng.choice(KINDS),
            "紧急程度": "紧急" if rng.random() < 0.1 else "一般",
            "标题": f"{topic}（{i}）",
            "诉求内容": f"来电人反映{topic}问题，已持续多日，希望相关部门尽快核实处理并给予答复。",
            "问题分类": TOPIC_CATEGORY[topic],
            "发生地址": f"某小区{rng.randint(1, 30)}号楼",
            "所属区": district,
            "所属街乡镇": township,
            "主办单位": lead,
            "协办单位": rng.choice(offices) if rng.random() < 0.15 else "",
            "考核范围": "全部考核",
        }
        _history(rng, received, values, lead)
        yield [values.get(c, "") for c in COLUMNS]


def write_ledger(path: Path, rows: int, run: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(ledger_rows(rows, run))


def _setup_world(run: str, folder: Path) -> None:
    from jiesu.orgs.choices import UnitKind
    from jiesu.orgs.services import unit_create
    from jiesu.tickets.services.categories import categories_load_csv

    city = unit_create(name=f"基准测试市{run}", kind=UnitKind.CITY, code=f"{run}C")
    districts, offices = _units(run)
    for code, townships in districts:
        district = unit_create(name=f"区{code}", kind=UnitKind.DISTRICT, parent=city, code=code)
        for township in townships:
            unit_create(name=f"街道{township}", kind=UnitKind.TOWNSHIP, parent=district, code=township)
    for code in offices:
        unit_create(name=f"处室{code}", kind=UnitKind.OFFICE, parent=city, code=code)
    tree = folder / "categories.csv"
    lines = ["一级分类,二级分类,三级分类"] + [path.replace("/", ",") for path in TOPIC_CATEGORY.values()]
    tree.write_text("\n".join(lines) + "\n", encoding="utf-8")
    categories_load_csv(path=tree)
    _setup_time_limits()


def _setup_time_limits() -> None:
    """A rule set and the 2024 calendar, unless the database already has rules in force then."""
    from chinese_calendar import constants

    from jiesu.sla.models import CalendarYear, TimeLimitRule, TimeLimitRuleSet
    from jiesu.sla.services import calendar_year_import

    if not CalendarYear.objects.filter(year=2024, is_complete=True).exists():
        days = [(d, False, "节假日") for d in constants.holidays if d.year == 2024 and d.weekday() < 5]
        days += [(d, True, "调休上班") for d in constants.workdays if d.year == 2024 and d.weekday() >= 5]
        calendar_year_import(year=2024, days=days, actor=None, source="chinesecalendar (bench)")
    if TimeLimitRuleSet.objects.filter(is_active=True, effective_from__lte=date(2024, 1, 1)).exists():
        return
    rule_set = TimeLimitRuleSet.objects.create(
        code="bench-import", name="导入基准测试时限", effective_from=date(2024, 1, 1), is_active=True
    )
    limits = [("acknowledge", 30, "min"), ("first_contact", 2, "wh"), ("dispatch", 2, "wh")]
    limits += [("unit_acknowledge", 1, "wh"), ("reply", 5, "wd"), ("callback", 2, "wd")]
    TimeLimitRule.objects.bulk_create(
        [TimeLimitRule(rule_set=rule_set, stage=s, amount=a, unit=u) for s, a, u in limits]
    )
    TimeLimitRule.objects.create(rule_set=rule_set, stage="reply", amount=2, unit="h", urgency="urgent")
    from jiesu.sla.cache import sla_cache_clear

    sla_cache_clear()


def baseline(path: Path, run: str) -> int:
    """The simplest possible loader: read the CSV, build bare Tickets, bulk_create per 1,000."""
    from django.db import transaction

    from jiesu.tickets.models import Ticket

    channels = {"电话": "phone", "网站": "web", "微信": "wechat", "APP": "app", "市级平台": "city_platform"}
    kinds = {"咨询": "consultation", "求助": "help", "投诉": "complaint", "举报": "report", "建议": "suggestion"}
    count, batch = 0, []
    with path.open(encoding="utf-8", newline="") as handle:
        for values in csv.DictReader(handle):
            count += 1
            received = datetime.fromisoformat(values["来电时间"]).replace(tzinfo=SHANGHAI)
            batch.append(
                Ticket(
                    number=f"{run}B{count:08d}",
                    source=f"{run}-baseline",
                    external_number=values["工单编号"],
                    channel=channels[values["受理渠道"]],
                    received_at=received,
                    requester_name=values["诉求人"],
                    requester_phone=values["联系电话"],
                    kind=kinds[values["诉求类型"]],
                    urgency="urgent" if values["紧急程度"] == "紧急" else "normal",
                    title=values["标题"],
                    content=values["诉求内容"],
                    address=values["发生地址"],
                )
            )
            if len(batch) == 1000:
                with transaction.atomic():
                    Ticket.objects.bulk_create(batch)
                batch = []
    with transaction.atomic():
        Ticket.objects.bulk_create(batch)
    return count


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, this process's CPU seconds): the machine is shared, CPU time tells
    how much of the wall time was ours (on PostgreSQL the server's share is not in it)."""
    began, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - began, time.process_time() - cpu


class ServerCpu:
    """CPU seconds used by this database's server processes, read from /proc when PostgreSQL runs
    on this machine (None otherwise). Backends are sampled while they live: the import's writer
    closes its connection when it is done, and its last moment's time would be lost otherwise."""

    def __init__(self, database: str) -> None:
        self.marker = f" {database} ".encode()  # a backend's title: "postgres: … user db host(port) state"
        self.seen: dict[str, float] = {}
        self.others: set[str] = set()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.readable = Path("/proc/self/stat").exists()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        for pid in (p for p in os.listdir("/proc") if p.isdigit() and p not in self.others):
            try:
                if pid not in self.seen and self.marker not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    self.others.add(pid)  # read each process's title once: sampling must stay cheap
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile, or not ours to read
                continue
            self.seen[pid] = (int(fields[11]) + int(fields[12])) / self.tick

    def total(self) -> float | None:
        self.sample()
        return sum(self.seen.values()) if self.readable and self.seen else None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(0.05):
            self.sample()


def _server_cpu(server: ServerCpu | None, fn: Any) -> tuple[Any, float | None]:
    before = server.total() if server is not None else None
    result = fn()
    after = server.total() if server is not None else None
    return result, (after - before if before is not None and after is not None else None)


def run(rows: int) -> list[dict[str, Any]]:
    """Benchmark rows in the format of bench/run.py (Django must be set up and migrated)."""
    from django.db import connection

    from jiesu.tickets.importing.service import tickets_import
    from jiesu.tickets.models import TicketEvent

    tag = f"I{int(time.time()) % 100000:05d}"
    folder = Path(tempfile.mkdtemp(prefix="jiesu-bench-import-"))
    path = folder / "ledger.csv"
    write_ledger(path, rows, tag)
    _setup_world(tag, folder)
    server = ServerCpu(connection.settings_dict["NAME"]) if connection.vendor == "postgresql" else None
    (base_rows, base_s, base_cpu), base_server = _server_cpu(server, lambda: _timed(lambda: baseline(path, tag)))
    rss_before = _rss_mb()
    (summary, import_s, import_cpu), import_server = _server_cpu(
        server, lambda: _timed(lambda: tickets_import(path=path, source=tag))
    )
    if server is not None:
        server.stop()
    rss_growth = _rss_mb() - rss_before
    again, again_s, _ = _timed(lambda: tickets_import(path=path, source=tag))
    assert summary.rejected == 0, summary.errors[:5]
    assert (summary.created, again.unchanged) == (rows, rows), (summary.as_dict(), again.as_dict())
    events = TicketEvent.objects.filter(ticket__source=tag).count()
    name = f"import {rows:,} rows ({connection.vendor})"
    return [
        {"benchmark": name, "metric": "rows/s", "value": round(rows / import_s), "target": "≥ 5000"},
        {"benchmark": name, "metric": "seconds", "value": round(import_s, 1)},
        {"benchmark": name, "metric": "× plain bulk_create", "value": round(import_s / base_s, 2), "target": "≤ 3"},
        {"benchmark": name, "metric": "rows per CPU second", "value": round(rows / import_cpu)},
        {"benchmark": name, "metric": "× bulk_create (CPU)", "value": round(import_cpu / base_cpu, 2)},
        {"benchmark": name, "metric": "client CPU µs per row", "value": round(import_cpu / rows * 1e6)},
        {"benchmark": name, "metric": "server CPU µs per row", "value": _per_row(import_server, rows)},
        {"benchmark": name, "metric": "events per row", "value": round(events / rows, 2)},
        {"benchmark": name, "metric": "peak RSS growth (MB)", "value": round(rss_growth, 1)},
        {"benchmark": "  re-import (all unchanged)", "metric": "rows/s", "value": round(rows / again_s)},
        {"benchmark": "  baseline bulk_create (no events)", "metric": "rows/s", "value": round(base_rows / base_s)},
        {
            "benchmark": "  baseline bulk_create (no events)",
            "metric": "client CPU µs per row",
            "value": round(base_cpu / base_rows * 1e6),
        },
        {
            "benchmark": "  baseline bulk_create (no events)",
            "metric": "server CPU µs per row",
            "value": _per_row(base_server, base_rows),
        },
    ]


def _per_row(seconds: float | None, rows: int) -> int | str:
    return "n/a" if seconds is None else round(seconds / rows * 1e6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from bench.common import django_setup, print_table

    django_setup()
    print_table(run(args.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
