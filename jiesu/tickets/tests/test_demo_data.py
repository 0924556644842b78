"""The demo ledger generator (pure, no database) and loading it through the real importer."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiesu.orgs.demo import WANGJING_CODE
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.demo.generator import (
    LEDGER_HEADERS,
    TIME_FORMAT,
    DemoSpec,
    Place,
    anchor_for,
    ledger_rows,
    ledger_write,
)
from jiesu.tickets.demo.loader import demo_data_load
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.reply_elements import (
    DEFAULT_SCHEME_FILE,
    reply_element_file_read,
    reply_element_scheme_in_force,
    reply_element_scheme_set,
    reply_elements_required,
)

PLACES = (
    Place("朝阳区", "望京街道", "110105"),
    Place("朝阳区", "南磨房地区", "110105"),
    Place("海淀区", "学院路街道", "110108"),
    Place("海淀区", "八里庄街道", "110108", township_cell="110108005"),
    Place("密云区", "溪翁庄镇", "110118"),
)
ANCHOR = datetime(2026, 11, 21)
CHAIN = ("来电时间", "签收时间", "派单时间", "单位签收时间", "反馈时间", "办结时间", "回访时间")


def spec(tickets: int = 2000, days: int = 120, seed: int = 12345, anchor: datetime = ANCHOR) -> DemoSpec:
    return DemoSpec(tickets=tickets, days=days, seed=seed, anchor=anchor, places=PLACES)


def when(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT)  # noqa: DTZ007 - naive local ledger time


def test_the_same_seed_gives_identical_rows() -> None:
    assert list(ledger_rows(spec(tickets=500))) == list(ledger_rows(spec(tickets=500)))


def test_different_seeds_give_different_rows() -> None:
    first, second = list(ledger_rows(spec(tickets=300, seed=1))), list(ledger_rows(spec(tickets=300, seed=2)))
    assert [r["标题"] for r in first] != [r["标题"] for r in second]
    assert {r["工单编号"] for r in first}.isdisjoint(r["工单编号"] for r in second)


def test_the_anchor_is_today_at_midnight_and_ends_the_window() -> None:
    assert anchor_for(datetime(2026, 11, 21, 15, 30, 12)) == ANCHOR
    rows = list(ledger_rows(spec(tickets=1000, days=30)))
    assert len(rows) == 1000
    for row in rows:
        moments = [when(row[c]) for c in (*CHAIN, "首次联系时间") if row[c]]
        assert all(ANCHOR - timedelta(days=30) <= m < ANCHOR for m in moments), row["工单编号"]


def test_every_row_has_a_plausible_requester_and_a_consistent_history() -> None:
    for row in ledger_rows(spec(tickets=1000)):
        assert re.fullmatch(r"1[3-9]\d{9}", row["联系电话"]), row["联系电话"]
        assert 2 <= len(row["诉求人"]) <= 4
        times = [when(row[c]) for c in CHAIN if row[c]]
        assert times == sorted(times), row["工单编号"]
        if row["首次联系时间"]:
            assert when(row["签收时间"]) <= when(row["首次联系时间"])
        assert row["所属街乡镇"] in row["发生地址"] or row["所属街乡镇"] == "110108005"


def test_channels_kinds_and_callbacks_have_realistic_shares() -> None:
    rows = list(ledger_rows(spec(tickets=3000)))
    channels = Counter(r["受理渠道"] for r in rows)
    assert 0.80 <= channels["电话"] / len(rows) <= 0.95
    assert len(channels) >= 5
    assert len({r["诉求类型"] for r in rows}) >= 6
    called = [r for r in rows if r["回访时间"]]
    satisfied = sum(r["满意度"] in ("满意", "基本满意") for r in called) / len(called)
    resolved = sum(r["是否解决"] == "是" for r in called) / len(called)
    assert 0.88 <= satisfied <= 0.97
    assert 0.85 <= resolved <= 0.95
    assert {"满意", "基本满意", "不满意"} <= {r["满意度"] for r in called}
    assert 0.03 <= sum(r["是否退单"] == "是" for r in rows) / len(rows) <= 0.08
    direct = sum(bool(r["办结时间"]) and not r["主办单位"] for r in rows) / len(rows)
    assert 0.1 <= direct <= 0.35


def test_heating_complaints_come_in_the_heating_season() -> None:
    rows = list(ledger_rows(spec(tickets=4000, days=365, anchor=datetime(2026, 7, 1))))
    heating = [when(r["来电时间"]) for r in rows if r["问题分类"].startswith("供暖")]
    in_season = [m for m in heating if (m.month, m.day) >= (11, 15) or (m.month, m.day) <= (3, 15)]
    assert len(heating) > 200
    assert len(in_season) / len(heating) >= 0.9
    summer = [when(r["来电时间"]).month for r in rows if r["问题分类"] == "公共服务/供电"]
    assert sum(m in (6, 7, 8) for m in summer) / len(summer) >= 0.4


def test_intake_follows_the_hour_of_day_and_weekday_curves() -> None:
    received = [when(r["来电时间"]) for r in ledger_rows(spec(tickets=3000))]
    hours = Counter(m.hour for m in received)
    assert hours[10] > 5 * hours[3]
    weekdays = Counter(m.weekday() for m in received)
    assert weekdays[0] > weekdays[6]


def test_recent_tickets_are_still_open_at_several_stages() -> None:
    rows = list(ledger_rows(spec(tickets=2000)))
    stages = Counter(
        "closed" if r["办结时间"] else "replied" if r["反馈时间"] else "handling" if r["单位签收时间"] else "other"
        for r in rows
    )
    assert stages["replied"] and stages["handling"] and stages["other"]
    assert sum(not r["回访时间"] for r in rows if r["办结时间"]) > 0


def test_the_ledger_is_written_as_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    assert ledger_write(path, ledger_rows(spec(tickets=50))) == 50
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LEDGER_HEADERS
    assert len(rows) == 51


@pytest.mark.django_db
def test_demo_data_imports_without_rejections_and_leaves_work_for_every_role(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    result = demo_data_load(tickets=300, days=60, seed=5)
    assert result.summary.rejected == 0, result.summary.errors[:3]
    assert result.summary.created == 300
    assert result.live.failures == []
    assert result.path.parent == tmp_path / "demo"
    assert {x.username for x in result.new_logins} >= {"agent", "wangjing"}
    demo = Ticket.objects.filter(source="demo")
    assert demo.count() == 300
    statuses = set(Ticket.objects.values_list("status", flat=True))
    wanted = {
        TicketStatus.RECEIVED,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.TRIAGED,
        TicketStatus.DISPATCHED,
        TicketStatus.HANDLING,
        TicketStatus.REPLIED,
        TicketStatus.RETURN_REQUESTED,
        TicketStatus.SUSPENDED,
        TicketStatus.CLOSED,
    }
    assert wanted <= statuses
    assert Ticket.objects.filter(extension_pending=True).exists()
    assert Ticket.objects.filter(rework_count__gt=0).exists()
    assert demo.filter(township__code=WANGJING_CODE).exists()
    assert TicketEvent.objects.filter(kind="redispatched").exists()
    assert (tmp_path / "demo-logins.txt").exists()


@pytest.mark.django_db
def test_loading_the_same_batch_again_changes_nothing(settings, tmp_path: Path, capsys) -> None:
    settings.VAR_DIR = tmp_path
    demo_data_load(tickets=120, days=20, seed=9)
    events = TicketEvent.objects.count()
    again = demo_data_load(tickets=120, days=20, seed=9)
    assert (again.summary.created, again.summary.unchanged, again.summary.rejected) == (0, 120, 0)
    assert again.live.steps == 0
    assert TicketEvent.objects.count() == events
    call_command("demo")  # the make-demo set-up leaves a database with tickets alone
    out = capsys.readouterr().out
    assert "数据库中已有工单" in out
    assert TicketEvent.objects.count() == events
    # ... and puts the default reply-element checklist in force from today, once.
    assert "反馈要素：默认方案" in out
    scheme = reply_element_scheme_in_force(on=timezone.localdate())
    assert scheme is not None and scheme.elements.count() == 6
    call_command("demo")
    assert "反馈要素：已有方案" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_live_replies_cover_the_reply_elements_in_force(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    _, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)  # as `jiesu demo` sets it, from today
    reply_element_scheme_set(valid_from=timezone.localdate(), elements=specs)
    result = demo_data_load(tickets=120, days=20, seed=9)
    assert result.live.steps > 0
    assert result.live.failures == []
    live = TicketEvent.objects.filter(kind__in=("replied", "self_handled"), payload__has_key="elements")
    assert live.exists()
    required = reply_elements_required(timezone.now())
    assert len(required) == 6 and all(e.payload["elements"] == required for e in live)
