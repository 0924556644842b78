"""Ticket list queries at 1,000,000 tickets (PostgreSQL): p50 / p95.

Tickets are generated in the database with generate_series (the list query, not the loader, is
what is measured here), with titles and contents made of everyday appeal phrases so that keyword
searches find realistic numbers of rows. Two queries, as the list page and the API run them:
three filters (status, district, a received-at window), newest first, one page of 50; and a
two-character keyword (噪音, 停车 …) through tickets_search, counted and paged as the page does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

PLACES = ["小区", "路口", "学校门口", "菜市场", "公园", "地铁站", "写字楼", "医院附近", "胡同", "商场", "村口"]
ISSUES = [
    "夜间施工噪音扰民",
    "占道停车",
    "暖气不热",
    "垃圾清运不及时",
    "路灯不亮",
    "井盖缺失",
    "违规养犬",
    "广场舞音响声音大",
    "物业收费不合理",
    "下水道堵塞",
    "共享单车乱停放",
    "餐饮油烟扰民",
    "房屋漏水",
    "电梯故障",
    "停水",
    "道路破损",
    "树木遮挡窗户",
    "违章建筑",
    "小广告乱贴",
    "公交站设置不合理",
    "供暖费退费",
    "充电桩不足",
    "快递车辆堵路",
    "工资拖欠",
    "医保报销咨询",
    "户口迁移咨询",
]
DETAILS = [
    "已持续一周",
    "多次找物业无果",
    "影响老人休息",
    "孩子上学不安全",
    "晚上十点以后仍有声音",
    "周边居民意见很大",
    "社区表示无法处理",
    "存在安全隐患",
    "希望有关部门上门查看",
    "来电人情绪激动",
    "此前已反映过一次",
    "停车位严重不足",
    "雨天积水严重",
    "夜间照明不足",
    "涉及二十多户居民",
    "要求尽快答复",
    "不同意社区的处理意见",
    "希望给出明确时间",
    "附近施工单位未公示",
    "管道老化",
]


# Tickets of the last 12 days (by received time) still move through the workflow; older ones are
# history: closed (a few merged or returned to the city) and called back. So about 3 % of a year's
# tickets are open, as at a real centre, rather than an even spread over all statuses.
RECENT_STATUSES = ["handling"] * 10 + ["replied"] * 3 + ["suspended", "return_requested"] + ["closed"] * 5


def _fill(tickets: int) -> None:
    from jiesu.orgs.models import Unit
    from jiesu.tickets.choices import Channel, Kind
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= tickets:
        return
    districts = list(Unit.objects.filter(kind="district").values_list("pk", flat=True))
    kinds = [k.value for k in Kind]
    channels = [c.value for c in Channel]
    table = Ticket._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {table} (number, source, external_number, channel, received_at, requester_name,
                requester_phone, requester_id_number, requester_confidential, kind, urgency, is_complex, title,
                content, address, district_id, status, version, is_direct_answer, return_count, rework_count,
                paused_seconds, extension_pending, exclusion_pending, sector_confirmation_pending, sector_answer,
                callback_satisfaction, is_repeat, is_sensitive, is_monthly_topic, assessment_scope,
                exclusion_reason_code, created_at, updated_at, reply_text, lead_unit_id, acknowledge_due_at,
                acknowledged_at, dispatch_due_at, dispatched_at, unit_acknowledge_due_at, reply_due_at,
                first_contacted_at, replied_at, closed_at, callback_due_at, callback_at)
            SELECT 'B' || lpad(g::text, 12, '0'), '', '', (%(channels)s::text[])[1 + g %% %(nc)s],
                rcv, '', '', '', false,
                (%(kinds)s::text[])[1 + g %% %(nk)s], 'normal', false,
                (%(places)s::text[])[1 + (g * 5) %% %(npl)s] || (%(issues)s::text[])[1 + (g * 11) %% %(ni)s],
                '市民来电反映' || (%(places)s::text[])[1 + (g * 5) %% %(npl)s]
                    || (%(issues)s::text[])[1 + (g * 11) %% %(ni)s] || '，'
                    || (%(details)s::text[])[1 + (g * 17) %% %(nde)s] || '，'
                    || (%(details)s::text[])[1 + (g * 23 + 7) %% %(nde)s] || '，'
                    || (%(details)s::text[])[1 + (g * 29 + 3) %% %(nde)s] || '。工单流水号 ' || g, '',
                (%(districts)s::bigint[])[1 + (g * 7) %% %(nd)s], st,
                1, false, 0, 0, 0, false, false, false, '', '', false, false, false, 'full', '', now(), now(), '',
                CASE WHEN past_dispatch THEN (%(districts)s::bigint[])[1 + (g * 7) %% %(nd)s] END,
                rcv + interval '2 hours',
                CASE WHEN st <> 'received' THEN rcv + interval '10 minutes' END,
                CASE WHEN st <> 'received' THEN rcv + interval '4 hours' END,
                CASE WHEN past_dispatch THEN rcv + interval '1 hour' END,
                CASE WHEN past_dispatch THEN rcv + interval '3 hours' END,
                CASE WHEN past_dispatch THEN rcv + interval '10 days' END,
                CASE WHEN past_dispatch AND st <> 'dispatched' THEN rcv + interval '2 hours' END,
                CASE WHEN st IN ('replied', 'closed') THEN rcv + LEAST(age * 0.9, 11520) * interval '1 minute' END,
                CASE WHEN st = 'closed' THEN rcv + LEAST(age * 0.95, 12960) * interval '1 minute' END,
                CASE WHEN st = 'closed' THEN rcv + LEAST(age * 0.95, 12960) * interval '1 minute'
                    + interval '2 days' END,
                CASE WHEN st = 'closed' AND age > 20160 THEN rcv + interval '10 days' END
            FROM generate_series(%(start)s, %(stop)s) AS g,
                LATERAL (SELECT g %% 525600 AS age, now() - (g %% 525600) * interval '1 minute' AS rcv) AS a,
                LATERAL (SELECT CASE
                    WHEN age < 60 THEN 'received'
                    WHEN age < 240 THEN (ARRAY['acknowledged', 'triaged'])[1 + g %% 2]
                    WHEN age < 1440 THEN 'dispatched'
                    WHEN age < 17280 THEN (%(recent)s::text[])[1 + g %% 20]
                    WHEN g %% 197 = 0 THEN 'merged'
                    WHEN g %% 211 = 0 THEN 'returned_to_city'
                    ELSE 'closed' END AS st) AS b,
                LATERAL (SELECT st NOT IN ('received', 'acknowledged', 'triaged', 'merged', 'returned_to_city')
                    AS past_dispatch) AS c
            """,
            {
                "channels": channels,
                "nc": len(channels),
                "kinds": kinds,
                "nk": len(kinds),
                "districts": districts,
                "nd": len(districts),
                "recent": RECENT_STATUSES,
                "places": PLACES,
                "npl": len(PLACES),
                "issues": ISSUES,
                "ni": len(ISSUES),
                "details": DETAILS,
                "nde": len(DETAILS),
                "start": have + 1,
                "stop": tickets,
            },
        )
        cur.execute(f"ANALYZE {table}")


def run(tickets: int = 1_000_000, queries: int = 200, seed: int = 7) -> list[dict[str, Any]]:
    from jiesu.orgs.models import Unit, User
    from jiesu.orgs.permissions import CENTER_ROLES
    from jiesu.tickets.choices import TicketStatus
    from jiesu.tickets.selectors import tickets_visible_to

    if connection.vendor != "postgresql":
        return [{"benchmark": "ticket list (3 filters)", "metric": "skipped", "value": "needs PostgreSQL"}]
    if not Unit.objects.filter(kind="district").exists():
        from jiesu.orgs.services import units_seed_beijing

        units_seed_beijing()
    viewer = User.objects.filter(role_grants__role__in=CENTER_ROLES, unit__kind="center").first()
    started = time.perf_counter()
    _fill(tickets)
    fill_seconds = time.perf_counter() - started
    rng = random.Random(seed)
    districts = list(Unit.objects.filter(kind="district").values_list("pk", flat=True))
    now = timezone.now()
    timings: list[float] = []
    for _ in range(queries):
        start = now - timedelta(days=rng.randint(1, 300))
        qs = tickets_visible_to(viewer=viewer).filter(
            status=rng.choice(list(TicketStatus)).value,
            district_id=rng.choice(districts),
            received_at__gte=start,
            received_at__lt=start + timedelta(days=30),
        )
        t0 = time.perf_counter()
        page = list(qs.order_by("-received_at", "-id")[:50])
        timings.append((time.perf_counter() - t0) * 1000)
        assert len(page) <= 50
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    keyword = _keyword_timings(viewer, rng, queries // 4)
    return [
        {"benchmark": "ticket list (3 filters)", "metric": "tickets", "value": tickets},
        {"benchmark": "ticket list (3 filters)", "metric": "fill seconds", "value": round(fill_seconds, 1)},
        {"benchmark": "ticket list (3 filters)", "metric": "p50 ms", "value": round(p50, 2)},
        {"benchmark": "ticket list (3 filters)", "metric": "p95 ms", "value": round(p95, 2), "target": "≤ 50"},
        {
            "benchmark": "ticket list (2-char keyword)",
            "metric": "p50 ms",
            "value": round(keyword[len(keyword) // 2], 2),
        },
        {
            "benchmark": "ticket list (2-char keyword)",
            "metric": "p95 ms",
            "value": round(keyword[int(len(keyword) * 0.95) - 1], 2),
            "target": "≤ 150",
        },
    ]


KEYWORDS = ["噪音", "停车", "供暖", "漏水", "电梯", "路灯", "油烟", "养犬"]


def _keyword_timings(viewer: Any, rng: random.Random, queries: int) -> list[float]:
    """What the list page spends on a keyword search: the count for the pager and the first page."""
    from jiesu.tickets.selectors import TicketSearch, tickets_search

    timings: list[float] = []
    for _ in range(queries):
        qs = tickets_search(viewer=viewer, search=TicketSearch(keyword=rng.choice(KEYWORDS)))
        t0 = time.perf_counter()
        total = qs.count()
        page = list(qs[:50])
        timings.append((time.perf_counter() - t0) * 1000)
        assert len(page) == min(total, 50)
    return sorted(timings)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets))
