"""Hotspot detection over 30 days of synthetic tickets (docs/intel.md).

    .venv/bin/python bench/bench_hotspots.py [--texts 1000000] [--baseline N] [--hotspots 20] [--seed 0]
                                             [--workers N] [--stages]
    DATABASE_URL=… .venv/bin/python bench/bench_hotspots.py --database [--workers N] [--stages]

The texts are generated here, in memory (no database): `--texts` short ticket titles and bodies in
the 30-day window and `--baseline` (default: as many) in the 30 days before it, each naming one of
thousands of made-up places and one of forty problems, plus `--hotspots` planted issues (one
place, one problem, 40–300 tickets from different requesters, mostly in the last week). Reported:
the generator's time (not counted), detection wall and CPU time (n-grams, blocks, pairs,
clusters, ranking, labels of the top 100, on `--workers` processes, by default the processors
available; CPU time includes the workers'; the machines are shared), the peak memory of the
process and of its largest worker, and how many planted issues came out (80 % of their tickets
in one of the top 2 × `--hotspots`); `--stages` adds each stage's wall time (`timing.StageTimes`).
The issue's target is 1,000,000 tickets in 30 days within 30 s. `--database` measures reading the
latest 30 days of DATABASE_URL's tickets (`sources.ticket_documents`) and detecting them instead.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SYLLABLES = "安宝北碧博昌晨城春翠达东芳丰福港高桂海和河恒红华辉佳嘉建金锦景康兰丽林龙鹿绿美明南宁鹏平瑞润森盛泰天桐万文祥欣新星兴雅阳怡银盈永裕园悦云泽兆正中竹"  # noqa: E501
SUFFIXES = ("小区", "花园", "家园", "新城", "苑", "村", "路", "广场")
PROBLEMS = (
    "夜间施工噪音扰民", "餐馆油烟直排", "停车位捆绑销售", "路灯长期不亮", "垃圾清运不及时", "自来水水压低",
    "电梯频繁故障", "物业乱收费", "井盖缺失", "违章搭建", "道路积水", "燃气管道老化", "噪音扰民广场舞",
    "楼顶漏水", "公交站台损坏", "幼儿园入学难", "房屋质量开裂", "暖气不热", "占道经营", "宠物扰民",
    "充电桩不足", "消防通道堵塞", "绿化带被毁", "外墙脱落", "地下室渗水", "网吧噪音", "工地扬尘",
    "学校周边摊贩", "小区门禁故障", "排水管堵塞", "交通信号灯故障", "共享单车乱停", "商铺占用消防通道",
    "违规养鸡", "化粪池外溢", "水质发黄", "断电频繁", "快递柜收费", "物业不作为", "拆迁补偿",
)  # fmt: skip
END = datetime(2026, 11, 1)  # noqa: DTZ001 - documents carry naive local times
FILLERS = ("请相关部门尽快处理", "希望尽快解决", "已经反映多次", "严重影响居民生活", "请政府重视", "谢谢")


def synthetic_documents(
    texts: int, hotspots: int, seed: int, baseline: int | None = None
) -> tuple[list[Any], list[set[str]]]:
    """`texts` documents in the 30-day window, `baseline` (default: as many) in the 30 days before
    it, and the ids of each planted issue (part of the window's `texts`)."""
    from jiesu.intel.hotspots import Document

    rng = random.Random(seed)
    places = sorted({rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SUFFIXES) for _ in range(20000)})
    planted: list[set[str]] = []
    documents: list[Any] = []
    for _ in range(hotspots):
        place, problem = rng.choice(places), rng.choice(PROBLEMS)
        ids = set()
        for _ in range(rng.randint(40, 300)):
            number = f"H{len(documents):08d}"
            moment = END - timedelta(days=rng.random() * 7)
            body = f"{place}{rng.choice(FILLERS)}，{problem}。"
            documents.append(Document(number, f"{place}{problem}", body, moment, f"r{rng.random()}", 0))
            ids.add(number)
        planted.append(ids)
    inside = max(texts - len(documents), 0)
    documents += _background(rng, places, inside, days=30, offset=0, first=len(documents))
    before = texts if baseline is None else baseline
    documents += _background(rng, places, before, days=30, offset=30, first=len(documents))
    return documents, planted


def _background(rng: random.Random, places: list[str], count: int, *, days: int, offset: int, first: int) -> list[Any]:
    """`count` unremarkable documents spread over `days` days ending `offset` days before END; the
    random draws are made a list at a time (the generator must not take longer than detection)."""
    from jiesu.intel.hotspots import Document

    where = rng.choices(places, k=count)
    what = rng.choices(PROBLEMS, k=count)
    openers = rng.choices(FILLERS, k=count)
    closers = rng.choices(FILLERS, k=count)
    seconds = [int(s) for s in (rng.random() * days * 86400 for _ in range(count))]
    base = END - timedelta(days=offset)
    return [
        Document(
            f"T{first + n:08d}",
            place + problem,
            f"{opener}，{place}附近{problem}，{closer}。",
            base - timedelta(seconds=second + 1),
            f"r{first + n}",
            0,
        )
        for n, (place, problem, opener, closer, second) in enumerate(
            zip(where, what, openers, closers, seconds, strict=True)
        )
    ]


def run(
    texts: int = 1_000_000,
    hotspots: int = 20,
    seed: int = 0,
    baseline: int | None = None,
    workers: int | None = None,
    stages: bool = False,
) -> list[dict[str, Any]]:
    import resource

    from jiesu.intel.hotspots import hotspots_detect, parallel
    from jiesu.intel.hotspots.timing import StageTimes

    workers = workers or parallel.available_workers()

    started = time.perf_counter()
    documents, planted = synthetic_documents(texts, hotspots, seed, baseline)
    generating = time.perf_counter() - started
    started, cpu, times = time.perf_counter(), _cpu_seconds(), StageTimes()
    found = hotspots_detect(documents, start=END - timedelta(days=30), end=END, limit=100, workers=workers, times=times)
    detecting, detecting_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    top = found[: hotspots * 2]  # a planted issue counts when 80 % of it is one of these
    recovered = sum(1 for ids in planted if any(len(ids & set(h.ids)) >= 0.8 * len(ids) for h in top))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    name = f"hotspots ({texts:,} in 30 days + {len(documents) - texts:,} baseline; {workers} processes)"
    rows: list[dict[str, Any]] = [
        {"benchmark": name, "metric": "generate seconds (not counted)", "value": round(generating, 2)},
        {"benchmark": name, "metric": "detect seconds", "value": round(detecting, 2), "target": "1M in ≤ 30 s"},
        {"benchmark": name, "metric": "detect CPU seconds", "value": round(detecting_cpu, 2)},
        {"benchmark": name, "metric": "peak memory MB (process)", "value": round(peak)},
        {"benchmark": name, "metric": "peak memory MB (largest worker)", "value": round(worker_peak)},
        {"benchmark": name, "metric": "planted found", "value": f"{recovered}/{len(planted)}"},
        {"benchmark": name, "metric": "hotspots (≤ 100 kept)", "value": len(found)},
    ]  # fmt: skip
    if stages:
        rows += _stage_rows(name, times)
    return rows


def run_database(
    days: int = 30, minimum: int = 100_000, workers: int | None = None, stages: bool = False
) -> list[dict[str, Any]]:
    """Reading the latest `days` days of tickets (and their baseline) from the configured database
    and detecting their hotspots; nothing when it holds fewer than `minimum` tickets. Read only."""
    from django.db.models import Max
    from django.utils import timezone

    from jiesu.intel.hotspots import hotspots_detect, parallel, sources
    from jiesu.intel.hotspots.timing import StageTimes
    from jiesu.tickets.models import Ticket

    workers = workers or parallel.available_workers()

    total = Ticket.objects.count()
    latest = Ticket.objects.aggregate(latest=Max("received_at"))["latest"]
    if total < minimum or latest is None:
        return []
    last = timezone.localdate(latest)
    window = sources.day_window(last - timedelta(days=days - 1), last)
    started, cpu = time.perf_counter(), time.process_time()
    documents = sources.ticket_documents(window)
    reading, reading_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu, times = time.perf_counter(), _cpu_seconds(), StageTimes()
    found = hotspots_detect(documents, start=window.start, end=window.end, limit=100, workers=workers, times=times)
    detecting, detecting_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    inside = sum(1 for d in documents if d.time >= window.start)
    name = f"hotspots DB ({inside:,} in {days} days + {len(documents) - inside:,} baseline; {total:,} tickets)"
    rows: list[dict[str, Any]] = [
        {"benchmark": name, "metric": "read seconds", "value": round(reading, 2)},
        {"benchmark": name, "metric": "read CPU seconds", "value": round(reading_cpu, 2)},
        {"benchmark": name, "metric": "detect seconds", "value": round(detecting, 2)},
        {"benchmark": name, "metric": "read + detect seconds", "value": round(reading + detecting, 2)},
        {"benchmark": name, "metric": "detect CPU seconds", "value": round(detecting_cpu, 2)},
        {"benchmark": name, "metric": "hotspots (≤ 100 kept)", "value": len(found)},
    ]
    if stages:
        rows += _stage_rows(name, times)
    return rows


def run_snapshot(days: int = 30, minimum: int = 100_000, workers: int | None = None) -> list[dict[str, Any]]:
    """What the hotspots page of the last `days` days of DATABASE_URL's tickets costs: detected on
    the request (one process, as a web request does), the worker's snapshot of that window (on
    `workers` processes), and the page's read of the snapshot (`hotspots.snapshots`). All in one
    transaction, rolled back: the database is left as it was. Nothing when it holds fewer than
    `minimum` tickets."""
    import statistics

    from django.db import transaction
    from django.utils import timezone

    from jiesu.intel.hotspots import parallel
    from jiesu.intel.hotspots.snapshots import days_window, hotspots_as_of, snapshot_store
    from jiesu.intel.models import HotspotSnapshot
    from jiesu.tickets.models import Ticket

    if Ticket.objects.count() < minimum:
        return []
    now = timezone.now()
    first, last = days_window(days, timezone.localdate(now))
    with transaction.atomic():
        HotspotSnapshot.objects.all().delete()
        started = time.perf_counter()
        detected = hotspots_as_of(first, last, top=20, now=now)
        detecting = time.perf_counter() - started
        started = time.perf_counter()
        snapshot = snapshot_store(first, last, now=now, workers=workers or parallel.available_workers())
        storing = time.perf_counter() - started
        reads = []
        for _ in range(20):
            started = time.perf_counter()
            stored = hotspots_as_of(first, last, top=20, now=now)
            reads.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    same = [h.as_dict() for h in stored.found] == [h.as_dict() for h in detected.found]
    name = f"hotspots page ({days} days, {snapshot.tickets:,} tickets with the baseline)"
    return [
        {"benchmark": name, "metric": "detected on request s (1 process)", "value": round(detecting, 2)},
        {"benchmark": name, "metric": "worker snapshot s", "value": round(storing, 2)},
        {
            "benchmark": name,
            "metric": "page from snapshot ms (p50 of 20)",
            "value": round(statistics.median(reads) * 1000, 1),
        },
        {"benchmark": name, "metric": "snapshot = detection", "value": "yes" if same and stored.stored else "NO"},
    ]


def _stage_rows(name: str, times: dict[str, float]) -> list[dict[str, Any]]:
    return [{"benchmark": name, "metric": f"  stage {k} seconds", "value": round(v, 2)} for k, v in times.items()]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _database_setup() -> None:
    """Django on DATABASE_URL without migrating: the database is only read."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiesu.settings")
    os.environ.setdefault("JIESU_SECRET_KEY", "bench-only-secret")
    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=None, help="documents before the window (default: --texts)")
    parser.add_argument("--hotspots", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database", action="store_true", help="the tickets of DATABASE_URL instead (read only)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: the processors available)")
    parser.add_argument("--stages", action="store_true", help="each stage's wall time too")
    args = parser.parse_args()
    from bench.common import print_table

    if args.database:
        _database_setup()
        print_table(run_database(workers=args.workers, stages=args.stages) + run_snapshot(workers=args.workers))
        return 0
    options = {"texts": args.texts, "hotspots": args.hotspots, "seed": args.seed, "baseline": args.baseline}
    print_table(run(**options, workers=args.workers, stages=args.stages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
