"""Pure generation of a demo ledger (台账): one row per ticket, Chinese values, no ORM.

`ledger_rows(spec)` streams rows day by day, so a million rows need no more memory than one
day's worth. Every random draw comes from one `random.Random(spec.seed)`; the same spec always
yields the same rows (see the package docstring for the anchor rule).
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from jiesu.tickets.choices import AssessmentScope, Channel, Kind, Urgency
from jiesu.tickets.demo import vocabulary as vocab
from jiesu.tickets.demo.lifecycle import Life, TicketFacts, life_for
from jiesu.tickets.demo.topics import DEMANDS, DISTRICT, TOPICS, TOWNSHIP, Topic

LEDGER_HEADERS = (
    "工单编号",
    "受理渠道",
    "来电时间",
    "诉求人",
    "联系电话",
    "诉求类型",
    "紧急程度",
    "标题",
    "诉求内容",
    "问题分类",
    "发生地址",
    "所属区",
    "所属街乡镇",
    "主办单位",
    "协办单位",
    "签收时间",
    "首次联系时间",
    "派单时间",
    "单位签收时间",
    "反馈时间",
    "办结时间",
    "办理结果",
    "是否退单",
    "回访时间",
    "是否联系",
    "是否解决",
    "满意度",
    "考核范围",
)
LedgerRow = dict[str, str]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Beijing 2020: 90.71% of appeals by phone, the rest through the network channels.
CHANNELS = (
    (Channel.PHONE, 90.7),
    (Channel.WECHAT, 3.0),
    (Channel.WEB, 2.8),
    (Channel.APP, 2.3),
    (Channel.MESSAGE_BOARD, 0.8),
    (Channel.MAILBOX, 0.4),
)
# Intake by hour of day (the hotline is staffed 7×24) and by weekday (Monday is the busiest).
HOUR_WEIGHTS = (
    0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 1.0, 2.5, 5.5, 8.0, 8.5, 7.5,
    5.5, 6.0, 7.5, 7.8, 7.2, 6.0, 4.5, 4.2, 4.0, 3.2, 2.2, 1.2,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.15, 1.08, 1.03, 1.0, 0.97, 0.82, 0.8)
# Resident population (10k, 2020 census) per district code: where the appeals come from.
POPULATION = {
    "110101": 71, "110102": 110, "110105": 345, "110106": 202, "110107": 57, "110108": 313,
    "110109": 39, "110111": 131, "110112": 184, "110113": 132, "110114": 227, "110115": 199,
    "110116": 44, "110117": 46, "110118": 53, "110119": 35,
}  # fmt: skip
SCOPES = ((AssessmentScope.FULL, 97.0), (AssessmentScope.RESPONSE_ONLY, 2.0), (AssessmentScope.EXCLUDED, 1.0))
REPEAT_CALLER_SHARE = 0.04
ASSISTED_SHARE = 0.04
# Ledger cells hold the Chinese labels of our choices.
LABELS: dict[str, str] = {
    c.value: str(c.label) for choices in (Channel, Kind, Urgency, AssessmentScope) for c in choices
}


@dataclass(frozen=True)
class Place:
    """A township and its district by name; `*_cell` is what the unit columns hold (a code where
    the name is ambiguous, e.g. 八里庄街道 exists in two districts); the district code selects the
    population weight."""

    district: str
    township: str
    district_code: str = ""
    district_cell: str = ""
    township_cell: str = ""
    weight: float = 1.0  # relative to the other townships of its district


@dataclass(frozen=True)
class DemoSpec:
    tickets: int
    days: int
    seed: int
    anchor: datetime  # naive local midnight; the window is [anchor - days, anchor)
    places: tuple[Place, ...]
    category_labels: Mapping[str, str] = field(default_factory=dict)  # topic key → 问题分类 ("" = none)
    unit_labels: Mapping[str, str] = field(default_factory=dict)  # "office:…" handler → 主办单位 value

    def __post_init__(self) -> None:
        if self.tickets < 0 or self.days < 1:
            raise ValueError("tickets must be >= 0 and days >= 1")
        if not self.places:
            raise ValueError("at least one place (district and township) is needed")


def anchor_for(now: datetime) -> datetime:
    """The day `now` falls on, at 00:00, naive: the end of the generated window."""
    return datetime(now.year, now.month, now.day)  # noqa: DTZ001 - ledger times are naive local


def batch_tag(spec: DemoSpec) -> str:
    """Four digits that tell generated batches apart in the ticket numbers (date, tag, sequence),
    so that a second batch with other parameters does not reuse the numbers of the first (the
    importer would take its rows for updates of the first batch's tickets and reject them)."""
    key = f"{spec.seed}:{spec.tickets}:{spec.days}:{spec.anchor:%Y%m%d}"
    return f"{int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10000:04d}"


def season_factor(topic: Topic, day: date) -> float:
    factor = topic.baseline
    md = (day.month, day.day)
    for start, end, value in topic.windows:
        inside = start <= md <= end if start <= end else (md >= start or md <= end)
        if inside:
            factor = max(factor, value)
    return factor


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` over the days proportionally (largest remainder, ties to the earlier day)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _day_weight(day: date) -> float:
    topics = sum(t.weight * season_factor(t, day) for t in TOPICS)
    return WEEKDAY_WEIGHTS[day.weekday()] * topics


class _Generator:
    """Holds the rng and the precomputed tables of one spec while its rows are streamed."""

    def __init__(self, spec: DemoSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)  # noqa: S311 - reproducible demo data, not secrets
        self.places = spec.places
        self.place_cum = _cumulative(
            POPULATION.get(p.district_code, 100) * p.weight / self._district_weight(p) for p in spec.places
        )
        self.hour_cum = _cumulative(HOUR_WEIGHTS)
        self.channel_cum = _cumulative(w for _, w in CHANNELS)
        self.scope_cum = _cumulative(w for _, w in SCOPES)
        self.callers = [(vocab.person_name(self.rng), vocab.mobile_number(self.rng)) for _ in range(40)]

    def _district_weight(self, place: Place) -> float:
        return sum(p.weight for p in self.spec.places if p.district == place.district)

    def rows(self) -> Iterator[LedgerRow]:
        spec = self.spec
        first = (spec.anchor - timedelta(days=spec.days)).date()
        days = [first + timedelta(days=i) for i in range(spec.days)]
        counts = _allocate(spec.tickets, [_day_weight(d) for d in days])
        tag = batch_tag(spec)
        for day, count in zip(days, counts, strict=True):
            topic_cum = _cumulative(t.weight * season_factor(t, day) for t in TOPICS)
            start = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - naive local ledger time
            offsets = sorted(_pick(self.rng, self.hour_cum) * 3600 + self.rng.randrange(3600) for _ in range(count))
            for seq, offset in enumerate(offsets, start=1):
                received = start + timedelta(seconds=offset)
                topic = TOPICS[_pick(self.rng, topic_cum)]
                yield self.row(f"{day:%Y%m%d}{tag}{seq:06d}", received, topic)

    def row(self, number: str, received: datetime, topic: Topic) -> LedgerRow:
        rng = self.rng
        place = self.places[_pick(rng, self.place_cum)]
        channel = CHANNELS[_pick(rng, self.channel_cum)][0]
        kind = _weighted(rng, topic.kinds)
        urgent = rng.random() < topic.urgent
        values = _Placeholders(rng, place)
        problem = rng.randrange(len(topic.titles))
        title = topic.titles[problem].format_map(values)
        reply = topic.replies[problem] if problem < len(topic.replies) else rng.choice(topic.replies)
        content = _content(topic.details[problem].format_map(values), channel, place, rng.choice(DEMANDS))
        name, phone = self._requester()
        facts = TicketFacts(
            received=received, channel=channel, urgent=urgent, direct=rng.random() < topic.direct,
            reply_days=topic.reply_days, lead=self._lead(topic, place), assisting=self._assisting(topic, place),
            reply=reply.format_map(values),
        )  # fmt: skip
        life = life_for(rng, facts, self.spec.anchor)
        return {
            "工单编号": number,
            "受理渠道": LABELS[channel],
            "来电时间": _when(received),
            "诉求人": name,
            "联系电话": phone,
            "诉求类型": LABELS[kind],
            "紧急程度": LABELS[Urgency.URGENT if urgent else Urgency.NORMAL],
            "标题": title,
            "诉求内容": content,
            "问题分类": self.spec.category_labels.get(topic.key, topic.categories[0]),
            "发生地址": f"{place.district}{place.township}{values['place']}{values['building']}",
            "所属区": place.district_cell or place.district,
            "所属街乡镇": place.township_cell or place.township,
            "考核范围": LABELS[SCOPES[_pick(rng, self.scope_cum)][0]],
            **_life_columns(life),
        }

    def _requester(self) -> tuple[str, str]:
        """A name and a mobile number; a few callers call again and again (repeat appeals)."""
        rng = self.rng
        if rng.random() < REPEAT_CALLER_SHARE:
            return rng.choice(self.callers)
        return vocab.person_name(rng), vocab.mobile_number(rng)

    def _assisting(self, topic: Topic, place: Place) -> str:
        """Now and then the district assists a township (主办 + 协办)."""
        if topic.handler == TOWNSHIP and self.rng.random() < ASSISTED_SHARE:
            return place.district_cell or place.district
        return ""

    def _lead(self, topic: Topic, place: Place) -> str:
        if topic.handler == TOWNSHIP:
            return place.township_cell or place.township
        if topic.handler == DISTRICT:
            return place.district_cell or place.district
        return self.spec.unit_labels.get(topic.handler, topic.handler.partition(":")[2])


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return options[_pick(rng, _cumulative(w for _, w in options))][0]


_DRAWS: dict[str, Callable[[random.Random, str], str]] = {
    "place": lambda rng, township: vocab.place_name(rng, township),
    "building": lambda rng, _: f"{rng.randint(1, 24)}号楼",
    "room": lambda rng, _: f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}",
    "road": lambda rng, township: vocab.road_name(rng, township),
    "school": lambda rng, township: vocab.school_name(rng, township),
    "shop": lambda rng, _: rng.choice(vocab.SHOPS),
    "n": lambda rng, _: str(rng.randint(2, 12)),
    "hour": lambda rng, _: str(rng.randint(1, 4)),
    "temp": lambda rng, _: str(rng.randint(12, 17)),
    "days": lambda rng, _: str(rng.randint(2, 10)),
    "child_age": lambda rng, _: str(rng.choice((6, 6, 7))),
    "elder_age": lambda rng, _: str(rng.randint(80, 95)),
    "money": lambda rng, _: str(rng.randrange(1000, 30000, 100)),
}


class _Placeholders(dict[str, str]):
    """Template values drawn only when a template asks for them (a million rows need the speed);
    the draws happen in template order, so the output stays deterministic."""

    def __init__(self, rng: random.Random, place: Place) -> None:
        super().__init__(district=place.district, township=place.township)
        self.rng, self.township = rng, place.township

    def __missing__(self, key: str) -> str:
        self[key] = value = _DRAWS[key](self.rng, self.township)
        return value


def _content(detail: str, channel: str, place: Place, demand: str) -> str:
    """ "来电人反映：<where><what>，<demand>。"; network appeals come from a 网民, not a 来电人."""
    who = "来电人" if channel == Channel.PHONE else "网民"
    if detail.startswith("来电人"):
        return f"{who}{detail[3:]}，{demand}。".replace("来电人", who)
    return f"{who}反映：{place.district}{place.township}{detail}，{demand}。"


def _when(moment: datetime | None) -> str:
    """TIME_FORMAT, written the fast way (whole seconds, "YYYY-MM-DD HH:MM:SS")."""
    return moment.isoformat(" ", "seconds") if moment is not None else ""


def _life_columns(life: Life) -> LedgerRow:
    return {
        "主办单位": life.lead,
        "协办单位": life.assisting,
        "签收时间": _when(life.acknowledged),
        "首次联系时间": _when(life.contacted),
        "派单时间": _when(life.dispatched),
        "单位签收时间": _when(life.unit_acknowledged),
        "反馈时间": _when(life.replied),
        "办结时间": _when(life.closed),
        "办理结果": life.reply_text,
        "是否退单": "是" if life.returned else "否",
        "回访时间": _when(life.callback),
        "是否联系": life.callback_contacted,
        "是否解决": life.callback_resolved,
        "满意度": life.satisfaction,
    }


def ledger_rows(spec: DemoSpec) -> Iterator[LedgerRow]:
    """All rows of the demo ledger, oldest first, streamed."""
    return _Generator(spec).rows()


def ledger_write(path: Path, rows: Iterable[LedgerRow]) -> int:
    """Write rows as a CSV with the Chinese headers (UTF-8 with BOM, as spreadsheets expect)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEDGER_HEADERS)
        for row in rows:
            writer.writerow([row[h] for h in LEDGER_HEADERS])
            written += 1
    return written
