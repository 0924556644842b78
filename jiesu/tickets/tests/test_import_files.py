"""Importing ledgers: encodings, workbooks, broken files, other layouts and the command line."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from jiesu.__main__ import main as jiesu_main
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.importing.dues import basis_for_record
from jiesu.tickets.importing.errors import ImportFileError
from jiesu.tickets.importing.mappings import mapping_load
from jiesu.tickets.importing.readers import table_open
from jiesu.tickets.importing.service import _ImportRun, tickets_import
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.tests.import_helpers import COLUMNS, load_categories, row, write_csv

ROOT = Path(__file__).resolve().parents[3]
NYC311 = ROOT.parent / "shared" / "data" / "nyc311" / "nyc311_2024-04-15_1000.csv"


@pytest.fixture
def ledger(world: World, tmp_path: Path) -> Path:
    load_categories(tmp_path)
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_with_or_without_bom(ledger: Path, encoding: str) -> None:
    path = write_csv(ledger / "g.csv", [row("G1", 标题="望京西园三区暖气不热𠀀")], encoding=encoding)
    summary = tickets_import(path=path)
    assert (summary.created, summary.errors) == (1, [])
    assert Ticket.objects.get(external_number="G1").title == "望京西园三区暖气不热𠀀"


@pytest.mark.django_db
def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused_whole(ledger: Path) -> None:
    path = write_csv(ledger / "bad.csv", [row("E1")])
    path.write_bytes(path.read_bytes() + b"E2,\xff\xfe\xff,\x80\n")
    with pytest.raises(ImportFileError, match="无法识别文件编码"):
        tickets_import(path=path)
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_missing_required_columns_are_named(ledger: Path) -> None:
    columns = [c for c in COLUMNS if c not in ("标题", "来电时间")]
    with pytest.raises(ImportFileError, match="缺少必需的列：标题、来电时间"):
        tickets_import(path=write_csv(ledger / "m.csv", [row("M1")], columns=columns))


@pytest.mark.django_db
def test_an_empty_file_is_refused(ledger: Path) -> None:
    (ledger / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFileError, match="没有任何数据"):
        tickets_import(path=ledger / "empty.csv")


@pytest.mark.django_db
def test_a_text_file_renamed_to_xlsx_is_not_a_workbook(ledger: Path) -> None:
    fake = ledger / "ledger.xlsx"
    fake.write_text("工单编号,标题,来电时间\nX1,暖气不热,2024-04-15 08:00\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="不是有效的 Excel 工作簿"):
        tickets_import(path=fake)
    archive = ledger / "archive.xlsx"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "not a workbook")
    with pytest.raises(ImportFileError, match="不是有效的 Excel 工作簿"):
        tickets_import(path=archive)


@pytest.mark.django_db
def test_an_xlsx_ledger_with_a_title_line_date_cells_and_numbers(ledger: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2024年4月接诉即办工单台账"])
    sheet.append(COLUMNS)
    good = row("ignored", 来电时间="", 签收时间="", 联系电话="")
    cells: list[object] = [good.get(c, "") for c in COLUMNS]
    cells[COLUMNS.index("工单编号")] = 2024041500001  # a number cell, as Excel stores long digits
    cells[COLUMNS.index("来电时间")] = datetime(2024, 4, 15, 8, 30)
    cells[COLUMNS.index("联系电话")] = 13800000000
    sheet.append(cells)
    bad = list(cells)
    bad[COLUMNS.index("工单编号")] = 2024041500002
    bad[COLUMNS.index("所属区")] = "不存在区"
    sheet.append(bad)
    book.save(ledger / "ledger.xlsx")
    summary = tickets_import(path=ledger / "ledger.xlsx")
    assert summary.created == 1
    assert [(e["row"], e["column"]) for e in summary.errors] == [(4, "所属区")]
    ticket = Ticket.objects.get(external_number="2024041500001")
    assert ticket.requester_phone == "13800000000" and ticket.status == TicketStatus.CLOSED
    assert ticket.received_at == datetime(2024, 4, 15, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_a_failing_batch_falls_back_to_one_transaction_per_row(ledger: Path) -> None:
    path = write_csv(ledger / "f.csv", [row("F1"), row("F2")])
    with table_open(path) as table:
        run = _ImportRun.start(table, mapping_load("jiesu"), source=None, dry_run=False, actor=None)
        records = run.records(list(table.rows))
    # The same row twice breaks the (source, external number) constraint inside the batch insert.
    twice = [*records, records[0]]
    run.insert([run.planner.plan(record, basis_for_record(record)) for record in twice])
    assert (run.summary.created, run.summary.rejected) == (2, 1)
    assert run.summary.errors[0]["row"] == 2 and "写入数据库失败" in run.summary.errors[0]["message"]
    assert Ticket.objects.count() == 2
    assert TicketEvent.objects.count() == 16  # nothing of the failed row is left behind


@pytest.mark.django_db
def test_the_nyc311_mapping_on_a_real_export() -> None:
    assert NYC311.is_file(), f"shared test data missing: {NYC311}"
    with NYC311.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    agencies = Counter(r["agency"] for r in rows)
    missing = min(agencies, key=lambda a: (agencies[a], a))  # the org tree lacks one agency
    city = unit_create(name="New York City", kind=UnitKind.CITY, code="NYC")
    for borough in {r["borough"] for r in rows} - {"Unspecified"}:
        unit_create(name=borough, kind=UnitKind.DISTRICT, parent=city)
    for agency in set(agencies) - {missing}:
        unit_create(name=f"NYC {agency}", kind=UnitKind.DEPARTMENT, parent=city, code=agency)

    summary = tickets_import(path=NYC311, mapping="nyc311")
    assert (summary.created, summary.rejected) == (len(rows) - agencies[missing], agencies[missing])
    assert {e["column"] for e in summary.errors} == {"agency"}
    closed = sum(1 for r in rows if r["closed_date"] and r["agency"] != missing)
    assert Ticket.objects.filter(source="nyc311", status=TicketStatus.CLOSED).count() == closed
    first = rows[0]
    ticket = Ticket.objects.get(source="nyc311", external_number=first["unique_key"])
    created = datetime.fromisoformat(first["created_date"]).replace(tzinfo=ZoneInfo("America/New_York"))
    assert ticket.received_at == created and ticket.title == first["complaint_type"]

    again = tickets_import(path=NYC311, mapping="nyc311")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows) - agencies[missing])


@pytest.mark.django_db
def test_the_command_prints_exactly_one_json_object(ledger: Path) -> None:
    path = write_csv(ledger / "c.csv", [row("C1"), row("C2", 所属区="不存在区")])
    out = io.StringIO()
    call_command("import_tickets", "tickets", str(path), "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"created", "updated", "unchanged", "rejected", "errors"}
    assert (result["created"], result["rejected"]) == (1, 1)
    assert result["errors"] == [{"row": 3, "column": "所属区", "message": "找不到单位「不存在区」（按名称或编码）"}]


@pytest.mark.django_db
def test_the_command_summary_in_chinese_and_dry_run(ledger: Path) -> None:
    path = write_csv(ledger / "c.csv", [row("C1"), row("C2", 所属区="不存在区")])
    out = io.StringIO()
    call_command("import_tickets", "tickets", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "试运行完成（未写入数据库）：新建 1 条" in text and "第 3 行［所属区］" in text
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_jiesu_import_exits_non_zero_on_a_file_level_error(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = ledger / "ledger.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        jiesu_main(["jiesu", "import", "tickets", str(fake), "--format", "json"])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["code"] == "import_file_invalid"
    assert "不是有效的 Excel 工作簿" in captured.err


@pytest.mark.django_db
def test_jiesu_import_exits_zero_when_rows_were_rejected(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(ledger / "c.csv", [row("C1", 所属区="不存在区")])
    jiesu_main(["jiesu", "import", "tickets", str(path), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["rejected"] == 1


@pytest.mark.django_db
def test_an_unknown_mapping_is_a_file_level_error(ledger: Path) -> None:
    with pytest.raises(CommandError, match="没有名为「nope」的映射"):
        call_command("import_tickets", "tickets", str(write_csv(ledger / "c.csv", [row()])), "--mapping", "nope")


@pytest.mark.django_db
def test_the_fast_sqlite_datetime_binding_matches_django() -> None:
    from django.db import connection

    from jiesu.tickets.importing.writer import _sqlite_moment

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only binding")
    for moment in (
        datetime(2024, 4, 15, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2024, 11, 3, 1, 30, 5, 123456, tzinfo=ZoneInfo("America/New_York")),
    ):
        assert _sqlite_moment(moment) == connection.ops.adapt_datetimefield_value(moment)
