"""Write the default report templates (periodic.docx, special.docx) beside this file.

Run `python -m jiesu.reports.templates_docx.build` after changing the layout and commit both the
script and the .docx files. The templates are ordinary Word documents with docxtpl (Jinja) tags, so
a customer can open one in Word, restyle or reword it and upload it as their own template; the
context variables are listed in docs/reports.md ("模板变量 / Template variables").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table

HERE = Path(__file__).resolve().parent
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋", "宋体", "黑体"


@dataclass(frozen=True)
class Layout:
    """The words that differ between the periodic and the special template."""

    file_name: str
    subtitle: str
    trend_heading: str


PERIODIC = Layout("periodic.docx", "统计周期：{{ period_label }}", "每日受理趋势")
SPECIAL = Layout("special.docx", "专题：{{ topic }}　统计时段：{{ period_label }}", "专题期间每日受理趋势")

# (heading, context list, [(column header, jinja expression of one row `r`)], chart or "")
TABLES: list[tuple[str, str, list[tuple[str, str]], str]] = [
    ("三、诉求分类", "categories", [("序号", "r.rank"), ("问题分类", "r.name"), ("件数", "r.value"),
                                   ("占比", "r.share")], "chart_categories"),
    ("四、区域分布", "districts", [("序号", "r.rank"), ("区", "r.name"), ("件数", "r.value"),
                                  ("占比", "r.share")], "chart_districts"),
    ("", "townships", [("序号", "r.rank"), ("街道（乡镇）", "r.name"), ("件数", "r.value"),
                       ("占比", "r.share")], ""),
    ("五、承办单位办理情况", "units", [("承办单位", "r.name"), ("受理", "r.received"), ("办结", "r.closed"),
                                      ("超期", "r.overdue"), ("按时办结率", "r.on_time_rate")], ""),
    ("六、三率及考核指标", "rates", [("指标", "r.name"), ("分子", "r.numerator"), ("分母", "r.denominator"),
                                    ("实际值", "r.value"), ("目标值", "r.target"), ("是否达标", "r.met")],
     "chart_rates"),
    ("七、重点工单", "notable", [("工单编号", "r.number"), ("标题", "r.title"), ("区", "r.district"),
                                ("问题分类", "r.category"), ("关注原因", "r.reason")], ""),
]  # fmt: skip


def _east_asian(style: BaseStyle, name: str, size: float, *, bold: bool = False) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = name, Pt(size), bold
    r_pr = style.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    # Word picks the Chinese glyphs' font from eastAsia, not from the ascii name python-docx sets.
    r_fonts.set(qn("w:eastAsia"), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        r_fonts.attrib.pop(qn(theme), None)


def _plain(style: BaseStyle) -> None:
    """Black, upright, no rule below: an official report, not python-docx's blue theme."""
    style.font.color.rgb = RGBColor(0, 0, 0)  # type: ignore[attr-defined]
    style.font.italic = False  # type: ignore[attr-defined]
    p_pr = style.element.pPr
    border = p_pr.find(qn("w:pBdr")) if p_pr is not None else None
    if border is not None:
        p_pr.remove(border)


def _styles(doc: DocumentObject) -> None:
    _east_asian(doc.styles["Normal"], BODY_FONT, 14)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.4
    _east_asian(doc.styles["Title"], TITLE_FONT, 22, bold=True)
    _east_asian(doc.styles["Subtitle"], BODY_FONT, 14)
    for level, size in ((1, 16), (2, 14)):
        _east_asian(doc.styles[f"Heading {level}"], HEADING_FONT, size, bold=False)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2"):
        _plain(doc.styles[name])
    _east_asian(doc.styles["Table Grid"], BODY_FONT, 10.5)


def _page(doc: DocumentObject) -> None:
    # A4 with the margins of GB/T 9704 (党政机关公文格式).
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _centered(doc: DocumentObject, text: str, style: str) -> None:
    doc.add_paragraph(text, style=style).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _loop_table(doc: DocumentObject, rows: str, columns: list[tuple[str, str]]) -> Table:
    """Header row, then docxtpl's row loop: `{%tr for %}` row, the row of cells, `{%tr endfor %}` row."""
    table: Table = doc.add_table(rows=4, cols=len(columns), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (header, expression) in enumerate(columns):
        table.cell(0, index).text = header
        table.cell(2, index).text = "{{ " + expression + " }}"
    table.cell(1, 0).text = "{%tr for r in " + rows + " %}"
    table.cell(3, 0).text = "{%tr endfor %}"
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # Two tables with nothing between them merge into one in Word.
    doc.add_paragraph()
    return table


def _tables(doc: DocumentObject) -> None:
    for heading, rows, columns, chart in TABLES:
        if heading:
            doc.add_heading(heading, level=1)
        _loop_table(doc, rows, columns)
        doc.add_paragraph("{%p if not " + rows + " %}")
        doc.add_paragraph("本期无相关数据。")
        doc.add_paragraph("{%p endif %}")
        if chart:
            _centered(doc, "{{ " + chart + " }}", "Normal")


def template_build(layout: Layout) -> bytes:
    """The default template for `layout` as .docx bytes."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _centered(doc, "{{ title }}", "Title")
    _centered(doc, layout.subtitle, "Subtitle")
    _centered(doc, "{{ issuer }}　{{ generated_on }}", "Subtitle")
    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph("{%p for p in narrative %}")
    doc.add_paragraph("{{ p }}").paragraph_format.first_line_indent = Pt(28)
    doc.add_paragraph("{%p endfor %}")
    _loop_table(doc, "summary", [("指标", "r.label"), ("数值", "r.value")])
    doc.add_heading("受理渠道与诉求类型", level=2)
    _loop_table(doc, "channels", [("受理渠道", "r.name"), ("件数", "r.value"), ("占比", "r.share")])
    _loop_table(doc, "kinds", [("诉求类型", "r.name"), ("件数", "r.value"), ("占比", "r.share")])
    doc.add_heading("二、" + layout.trend_heading, level=1)
    _centered(doc, "{{ chart_daily }}", "Normal")
    _tables(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    for layout in (PERIODIC, SPECIAL):
        path = HERE / layout.file_name
        path.write_bytes(template_build(layout))
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
