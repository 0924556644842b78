from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from jiesu.core.spreadsheet import RATE, SheetTable, sheet_name, tables_workbook


def test_text_that_looks_like_a_formula_stays_text() -> None:
    data = tables_workbook(
        [SheetTable("重点工单", ("标题", "名称", "件数"), [['=HYPERLINK("http://x","点我")', "普通标题", 3]])]
    )
    rows = list(load_workbook(BytesIO(data))["重点工单"].iter_rows())
    assert [c.value for c in rows[0]] == ["标题", "名称", "件数"]
    assert [(c.value, c.data_type) for c in rows[1]] == [
        ('=HYPERLINK("http://x","点我")', "s"),
        ("普通标题", "s"),
        (3, "n"),
    ]


def test_rates_are_numbers_with_a_percent_format_and_blanks_stay_blank() -> None:
    data = tables_workbook([SheetTable("三率", ("指标", "值"), [["响应率", 0.975], ["解决率", None]], {1: RATE})])
    sheet = load_workbook(BytesIO(data))["三率"]
    assert sheet["B2"].value == 0.975 and sheet["B2"].number_format == RATE
    assert sheet["B3"].value is None
    assert sheet.freeze_panes == "A2"


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("承办单位/排名", taken) == "承办单位_排名"
    assert sheet_name("承办单位/排名", taken) == "承办单位_排名(2)"
    long = sheet_name("很" * 40, taken)
    assert len(long) == 31
    assert len(sheet_name("很" * 40, taken)) == 31
    assert sheet_name("", taken) == "Sheet"


def test_no_tables_still_make_a_workbook_excel_opens() -> None:
    assert load_workbook(BytesIO(tables_workbook([]))).sheetnames == ["空"]
