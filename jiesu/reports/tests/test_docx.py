"""The Word report: opened with python-docx, every figure checked against the facts."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE

from jiesu.orgs.testing import World
from jiesu.reports.charts import CHART_NAMES, report_charts
from jiesu.reports.docx_render import TemplateBroken, report_docx, report_title, template_default
from jiesu.reports.facts import Count, ReportFacts
from jiesu.reports.tests.documents_support import Period, empty_week, month_with_tickets, special_window


def opened(data: bytes) -> DocumentObject:
    return Document(io.BytesIO(data))


def texts(doc: DocumentObject) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table(doc: DocumentObject, *headers: str) -> list[list[str]]:
    """The body rows of the table whose header row starts with `headers`."""
    found = [t for t in doc.tables if [c.text for c in t.rows[0].cells][: len(headers)] == list(headers)]
    assert len(found) == 1, f"tables headed {headers}: {len(found)}"
    return [[cell.text for cell in row.cells] for row in found[0].rows[1:]]


def image_parts(doc: DocumentObject) -> int:
    return sum(1 for rel in doc.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.IMAGE)


def pct(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.1f}%"


def count_rows(lines: list[Count]) -> list[list[str]]:
    return [[str(i), c.name, f"{c.value:,}", pct(c.share)] for i, c in enumerate(lines, start=1)]


def check_tables(doc: DocumentObject, facts: ReportFacts) -> None:
    summary = dict(table(doc, "指标", "数值"))
    assert summary["受理诉求（件）"] == f"{facts.received:,}"
    assert summary["上期受理（件）"] == f"{facts.received_previous:,}"
    assert summary["去年同期受理（件）"] == f"{facts.received_year_ago:,}"
    assert summary["办结（件）"] == f"{facts.closed:,}"
    assert summary["超期（件）"] == f"{facts.overdue:,}"
    assert summary["退单（件）"] == f"{facts.returned:,}"
    assert summary["重复诉求（件）"] == f"{facts.repeat:,}"
    assert table(doc, "受理渠道") == [[c.name, f"{c.value:,}", pct(c.share)] for c in facts.by_channel]
    assert table(doc, "诉求类型") == [[c.name, f"{c.value:,}", pct(c.share)] for c in facts.by_kind]
    assert table(doc, "序号", "问题分类") == count_rows(facts.top_categories)
    assert table(doc, "序号", "区") == count_rows(facts.top_districts)
    assert table(doc, "序号", "街道（乡镇）") == count_rows(facts.top_townships)
    assert table(doc, "承办单位") == [
        [u.name, f"{u.received:,}", f"{u.closed:,}", f"{u.overdue:,}", pct(u.on_time_rate)] for u in facts.by_unit
    ]
    rates = table(doc, "指标", "分子")
    assert [(r[0], r[3], r[4]) for r in rates] == [(r.name, pct(r.value), pct(r.target)) for r in facts.rates]
    assert [r[0] for r in table(doc, "工单编号")] == [n.number for n in facts.notable]


def test_the_report_shows_the_title_period_narrative_tables_and_charts(world: World) -> None:
    month = month_with_tickets(world)
    doc = opened(report_docx(month.facts, month.narrative))
    lines = texts(doc)
    assert lines[0] == report_title(month.facts) == "12345热线诉求办理情况月报"
    assert any(month.period.label in line for line in lines)
    for paragraph in month.narrative:
        assert paragraph in lines
    assert month.facts.received == 5
    check_tables(doc, month.facts)
    assert len(doc.inline_shapes) == len(CHART_NAMES) == image_parts(doc)
    assert "{{" not in "".join(lines) and "{%" not in "".join(lines)


def test_every_chart_is_a_png_image(world: World) -> None:
    month = month_with_tickets(world)
    charts = report_charts(month.facts)
    assert set(charts) == set(CHART_NAMES)
    for png in charts.values():
        assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_an_empty_period_gives_a_no_appeals_report(db: None) -> None:
    week = empty_week()
    doc = opened(report_docx(week.facts, week.narrative))
    lines = texts(doc)
    assert week.facts.received == 0 and week.narrative
    for paragraph in week.narrative:
        assert paragraph in lines
    assert "未受理" in "".join(week.narrative)
    assert table(doc, "受理渠道") == [] and table(doc, "序号", "问题分类") == []
    assert "本期无相关数据。" in lines
    assert dict(table(doc, "指标", "数值"))["受理诉求（件）"] == "0"
    assert len(doc.inline_shapes) == len(CHART_NAMES)


def test_a_special_report_uses_the_special_template_and_names_its_topic(world: World) -> None:
    special: Period = special_window(world, "噪音")
    doc = opened(report_docx(special.facts, special.narrative))
    lines = texts(doc)
    assert lines[0] == "关于“噪音”诉求情况的专报"
    assert any("专题：噪音" in line for line in lines)
    assert special.facts.received == 2
    check_tables(doc, special.facts)


def customer_template() -> bytes:
    doc = Document()
    doc.add_paragraph("某区12345分中心 {{ kind_label }}（客户模板）")
    doc.add_paragraph("{{ title }}｜{{ period_label }}｜共{{ received }}件，环比{{ change_previous }}")
    doc.add_paragraph("{%p for p in narrative %}")
    doc.add_paragraph("{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{{ chart_daily }}")
    table = doc.add_table(rows=4, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "分类", "件数"
    table.cell(1, 0).text = "{%tr for r in categories %}"
    table.cell(2, 0).text, table.cell(2, 1).text = "{{ r.name }}", "{{ r.value }}"
    table.cell(3, 0).text = "{%tr endfor %}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_customer_template_is_used_when_given(world: World) -> None:
    month = month_with_tickets(world)
    doc = opened(report_docx(month.facts, month.narrative, template=customer_template()))
    lines = texts(doc)
    assert lines[0] == "某区12345分中心 月报（客户模板）"
    change = f"{month.facts.change_previous_pct:+.1f}%"
    assert lines[1] == f"12345热线诉求办理情况月报｜{month.period.label}｜共5件，环比{change}"
    assert lines[2 : 2 + len(month.narrative)] == month.narrative
    assert table(doc, "分类") == [[c.name, f"{c.value:,}"] for c in month.facts.top_categories]
    assert len(doc.inline_shapes) == 1


@pytest.mark.parametrize("broken", [b"not a word file", b"PK\x03\x04broken"])
def test_a_file_that_is_not_a_docx_is_refused_in_chinese(db: None, broken: bytes) -> None:
    week = empty_week()
    with pytest.raises(TemplateBroken, match="不是有效的 Word"):
        report_docx(week.facts, week.narrative, template=broken)


def test_a_template_with_a_broken_tag_is_refused_in_chinese(db: None) -> None:
    doc = Document()
    doc.add_paragraph("{{ title ")
    out = io.BytesIO()
    doc.save(out)
    week = empty_week()
    with pytest.raises(TemplateBroken, match="报告模板有误"):
        report_docx(week.facts, week.narrative, template=out.getvalue())


def test_the_default_templates_use_only_documented_variables() -> None:
    from pathlib import Path

    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    documented = (Path(__file__).resolve().parents[3] / "docs" / "reports.md").read_text(encoding="utf-8")
    for kind in ("monthly", "special"):
        names = DocxTemplate(io.BytesIO(template_default(kind))).get_undeclared_template_variables()
        assert names, kind
        for name in names:
            assert f"`{name}`" in documented, name


@pytest.mark.parametrize(
    "tag",
    [
        "{{ title.__class__.__mro__[1].__subclasses__() }}",
        "{{ narrative.__class__.__init__.__globals__ }}",
        "{% for i in range(10000000) %}x{% endfor %}",
    ],
)
def test_a_customer_template_cannot_reach_python_internals(db: None, tag: str) -> None:
    doc = Document()
    doc.add_paragraph(tag)
    out = io.BytesIO()
    doc.save(out)
    week = empty_week()
    with pytest.raises(TemplateBroken, match="报告模板有误"):
        report_docx(week.facts, week.narrative, template=out.getvalue())
