"""The report as a Word document: a docxtpl template (the default one or a customer's) filled with
the facts, the narrative and the charts.

Every value a template can use is in `report_context` (documented in docs/reports.md, "模板变量 /
Template variables"): numbers arrive formatted as people read them ("1,234", "12.5%"), so a
customer's template needs no filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage  # type: ignore[import-untyped]
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import Unit
from jiesu.reports.charts import CHART_NAMES, report_charts
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.facts import Count, RateLine, ReportFacts, UnitLine

TEMPLATES = Path(__file__).resolve().parent / "templates_docx"
CHART_WIDTH = Mm(150)
NO_CHANGE, NO_BASE = "持平", "—"


class TemplateBroken(ValidationFailed):
    code = "report_template_broken"


def number(value: int | float) -> str:
    return f"{value:,}"


def percent(fraction: float | None, places: int = 1) -> str:
    """0.985 → "98.5%"; None (not applicable) → "—"."""
    return NO_BASE if fraction is None else f"{fraction * 100:.{places}f}%"


def change(pct: float | None) -> str:
    """A change in percent as the tables show it: "+5.2%", "-3.1%", "持平", "—" without a base."""
    if pct is None:
        return NO_BASE
    return NO_CHANGE if pct == 0 else f"{pct:+.1f}%"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_title(facts: ReportFacts) -> str:
    family = str(ReportFamily(facts.family).label)
    if facts.period.kind != ReportKind.SPECIAL:
        return f"{family}诉求办理情况{ReportKind(facts.period.kind).label}"
    subject = "".join(f"“{part}”" for part in (facts.district, facts.topic) if part)
    return f"关于{subject}诉求情况的专报" if subject else f"{family}诉求情况专报"


def _counts(lines: Sequence[Count]) -> list[dict[str, Any]]:
    return [
        {"rank": i, "name": c.name, "code": c.code, "value": number(c.value), "share": percent(c.share)}
        for i, c in enumerate(lines, start=1)
    ]


def _met(line: RateLine) -> str:
    return NO_BASE if line.met is None else ("达标" if line.met else "未达标")


def _rates(lines: Sequence[RateLine]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "numerator": number(r.numerator if r.numerator != int(r.numerator) else int(r.numerator)),
            "denominator": NO_BASE if r.denominator is None else number(r.denominator),
            "value": percent(r.value),
            "target": percent(r.target),
            "met": _met(r),
        }
        for r in lines
    ]


def _units(lines: Sequence[UnitLine]) -> list[dict[str, str]]:
    return [
        {
            "name": u.name,
            "code": u.code,
            "received": number(u.received),
            "closed": number(u.closed),
            "overdue": number(u.overdue),
            "on_time_rate": percent(u.on_time_rate),
        }
        for u in lines
    ]


def _summary(facts: ReportFacts) -> list[dict[str, str]]:
    return [
        {"label": "受理诉求（件）", "value": number(facts.received)},
        {"label": "上期受理（件）", "value": number(facts.received_previous)},
        {"label": "环比", "value": change(facts.change_previous_pct)},
        {"label": "去年同期受理（件）", "value": number(facts.received_year_ago)},
        {"label": "同比", "value": change(facts.change_year_ago_pct)},
        {"label": "办结（件）", "value": number(facts.closed)},
        {"label": "超期（件）", "value": number(facts.overdue)},
        {"label": "退单（件）", "value": number(facts.returned)},
        {"label": "重复诉求（件）", "value": number(facts.repeat)},
    ]


def _issuer() -> str:
    root = Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path").values_list("name", flat=True)
    return root.first() or ""


def report_context(facts: ReportFacts, narrative: Sequence[str]) -> dict[str, Any]:
    """Every template variable except the charts (added as images by `report_docx`)."""
    period = facts.period
    return {
        "title": report_title(facts),
        "kind_label": str(ReportKind(period.kind).label),
        "family_label": str(ReportFamily(facts.family).label),
        "period_label": period.label,
        "period_key": period.key,
        "start": cn_date(period.start),
        "end": cn_date(period.end),
        "due_on": cn_date(period.due_on),
        "topic": facts.topic,
        "district": facts.district,
        "issuer": _issuer(),
        "generated_on": cn_date(facts.computed_at.date()),
        "scheme_name": facts.scheme_name,
        "score": NO_BASE if facts.score is None else f"{facts.score:g}",
        "is_empty": facts.is_empty,
        "narrative": list(narrative),
        "received": number(facts.received),
        "received_previous": number(facts.received_previous),
        "received_year_ago": number(facts.received_year_ago),
        "change_previous": change(facts.change_previous_pct),
        "change_year_ago": change(facts.change_year_ago_pct),
        "closed": number(facts.closed),
        "overdue": number(facts.overdue),
        "returned": number(facts.returned),
        "repeat": number(facts.repeat),
        "summary": _summary(facts),
        "channels": _counts(facts.by_channel),
        "kinds": _counts(facts.by_kind),
        "categories": _counts(facts.top_categories),
        "districts": _counts(facts.top_districts),
        "townships": _counts(facts.top_townships),
        "units": _units(facts.by_unit),
        "rates": _rates(facts.rates),
        "notable": [
            {"number": n.number, "title": n.title, "district": n.district, "category": n.category, "reason": n.reason}
            for n in facts.notable
        ],
    }


def template_default(kind: str) -> bytes:
    """The default template shipped with Jiesu for a report of `kind`."""
    name = "special.docx" if kind == ReportKind.SPECIAL else "periodic.docx"
    return (TEMPLATES / name).read_bytes()


def _template(source: bytes) -> DocxTemplate:
    document = DocxTemplate(BytesIO(source))
    try:
        # docxtpl opens the file lazily; opening it now tells a broken upload from a broken tag.
        document.init_docx()
    except (BadZipFile, KeyError, ValueError, PackageNotFoundError) as error:
        raise TemplateBroken("报告模板不是有效的 Word（.docx）文件") from error
    return document


def report_docx(
    facts: ReportFacts,
    narrative: Sequence[str],
    *,
    template: bytes | None = None,
    charts: dict[str, bytes] | None = None,
) -> bytes:
    """The .docx of the report, from `template` (a customer's) or the default one for its kind.
    `charts` (from `report_charts`) may be passed when the caller already drew them."""
    document = _template(template if template is not None else template_default(facts.period.kind))
    images = charts if charts is not None else report_charts(facts)
    context = report_context(facts, narrative)
    for name in CHART_NAMES:
        context[name] = InlineImage(document, BytesIO(images[name]), width=CHART_WIDTH)
    try:
        # A customer's template is untrusted Jinja: the sandbox keeps its tags away from Python
        # internals (`''.__class__.__mro__`…) and caps range(); autoescape keeps values valid XML.
        document.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except (TemplateError, OverflowError) as error:  # OverflowError: the sandbox's range() cap
        raise TemplateBroken(f"报告模板有误，无法生成报告（模板引擎提示：{error}）") from error
    out = BytesIO()
    document.save(out)
    return out.getvalue()
