"""The report's text, written from its facts in Chinese (docs/reports.md).

Every figure in the text is one of the facts, formatted one way: counts with thousands
separators (1,234件), percentages with one decimal (5.2%, 98.5%), targets without a trailing
zero (95%), the score with the scheme's decimals. A change is "上升" / "下降" / "持平"; a change
whose base period had no tickets is left out rather than divided by zero.
"""

from __future__ import annotations

from collections import Counter

from jiesu.kpi.selectors import NO_GROUP_NAME
from jiesu.reports.choices import ReportKind
from jiesu.reports.facts import Count, RateLine, ReportFacts

NOUNS = {
    ReportKind.DAILY: "当日",
    ReportKind.WEEKLY: "本周",
    ReportKind.MONTHLY: "本月",
    ReportKind.QUARTERLY: "本季度",
    ReportKind.HALF_YEAR: "本半年",
    ReportKind.ANNUAL: "本年度",
}
TOP_LISTED = 5
AREAS_LISTED = 3
NOTABLE_KINDS = (("督办", "督办件"), ("紧急", "紧急诉求"), ("超期", "超期工单"), ("重复", "重复诉求"))


def count_text(n: int) -> str:
    return f"{n:,}"


def pct_text(value: float) -> str:
    """A percentage already in percent (5.2 → "5.2%")."""
    return f"{value:.1f}%"


def fraction_text(value: float) -> str:
    """A fraction as a percentage with one decimal (0.985 → "98.5%")."""
    return pct_text(value * 100)


def target_text(value: float) -> str:
    """A target without trailing zeros (0.95 → "95%", 0.925 → "92.5%")."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def change_text(word: str, pct: float | None) -> str | None:
    if pct is None:
        return None
    if pct == 0:
        return f"{word}持平"
    return f"{word}{'上升' if pct > 0 else '下降'}{pct_text(abs(pct))}"


def period_noun(facts: ReportFacts) -> str:
    if facts.period.kind == ReportKind.SPECIAL:
        return f"{facts.period.label}期间"
    return NOUNS[ReportKind(facts.period.kind)]


def subject(facts: ReportFacts) -> str:
    """What was received: '诉求', or '朝阳区涉及“供暖”的诉求' for a special report."""
    where = facts.district
    about = f"涉及“{facts.topic}”的" if facts.topic else ""
    return f"{where}{about}诉求"


def report_narrative(facts: ReportFacts) -> list[str]:
    """The paragraphs of the report, in order: volume, distribution, handling, rates, notable."""
    paragraphs = [_volume(facts)]
    if not facts.is_empty:
        paragraphs.append(_distribution(facts))
    paragraphs.append(_handling(facts))
    paragraphs.append(_rates(facts))
    if facts.notable:
        paragraphs.append(_notable(facts))
    return [p for p in paragraphs if p]


def _volume(facts: ReportFacts) -> str:
    noun = period_noun(facts)
    if facts.is_empty:
        text = f"{noun}未受理{subject(facts)}。"
    else:
        text = f"{noun}共受理{subject(facts)}{count_text(facts.received)}件"
        changes = [
            c
            for c in (change_text("环比", facts.change_previous_pct), change_text("同比", facts.change_year_ago_pct))
            if c
        ]
        text += "".join(f"，{c}" for c in changes) + "。"
    if facts.repeat:
        text += f"其中重复诉求{count_text(facts.repeat)}件，占{fraction_text(facts.repeat / facts.received)}。"
    return text


def _listing(counts: list[Count], limit: int) -> str:
    """The largest lines; tickets without a category or area (未指定) are no finding to report."""
    named = [c for c in counts if c.name != NO_GROUP_NAME][:limit]
    return "、".join(f"{c.name}{count_text(c.value)}件（占{fraction_text(c.share)}）" for c in named)


def _distribution(facts: ReportFacts) -> str:
    parts = [
        ("从受理渠道看，", _listing(facts.by_channel, AREAS_LISTED)),
        ("从诉求类型看，", _listing(facts.by_kind, AREAS_LISTED)),
        ("诉求较多的问题分类为", _listing(facts.top_categories, TOP_LISTED)),
        ("诉求较多的区为", _listing(facts.top_districts, AREAS_LISTED)),
        ("诉求较多的街乡镇为", _listing(facts.top_townships, TOP_LISTED)),
    ]
    return "；".join(lead + listing for lead, listing in parts if listing) + "。"


def _handling(facts: ReportFacts) -> str:
    noun = period_noun(facts)
    closed = f"{noun}办结诉求{count_text(facts.closed)}件" if facts.closed else f"{noun}无办结诉求"
    overdue = f"超期未反馈工单{count_text(facts.overdue)}件" if facts.overdue else "无超期工单"
    returned = f"退单{count_text(facts.returned)}件" if facts.returned else "无退单"
    return f"{closed}，{overdue}，{returned}。"


def _rate_phrase(line: RateLine) -> str:
    if line.value is None:
        return f"{line.name}暂无数据"
    text = f"{line.name}{fraction_text(line.value)}"
    if line.target is None:
        return text
    value, target = round(line.value, 6), round(line.target, 6)
    word = "高于" if value > target else "低于" if value < target else "达到"
    text += f"，{word}目标{target_text(line.target)}"
    return text + ("，未达标" if line.met is False else "")


def _rates(facts: ReportFacts) -> str:
    if not facts.rates:
        return ""
    text = f"按{facts.scheme_name}口径，" + "；".join(_rate_phrase(r) for r in facts.rates) + "。"
    if facts.score is not None:
        text += f"综合成绩{facts.score:g}分。"
    return text


def _notable(facts: ReportFacts) -> str:
    tally: Counter[str] = Counter()
    for ticket in facts.notable:
        for prefix, name in NOTABLE_KINDS:
            if ticket.reason.startswith(prefix):
                tally[name] += 1
    kinds = "、".join(f"{name}{count_text(tally[name])}件" for _, name in NOTABLE_KINDS if tally[name])
    return f"需重点关注的工单{count_text(len(facts.notable))}件（{kinds}），详见重点工单表。"
