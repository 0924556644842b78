import hashlib
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import DomainError, ValidationFailed
from jiesu.orgs.testing import World
from jiesu.reports.models import GeneratedReport, ReportTemplate
from jiesu.reports.periods import period_parse, period_special
from jiesu.reports.services import GENERATE_ACTION, report_generate
from jiesu.tickets.tests.helpers import new_ticket

BEIJING = ZoneInfo("Asia/Shanghai")
OCTOBER = period_parse("monthly", "2026-10")


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _october_tickets(world: World, count: int) -> None:
    for day in range(count):
        new_ticket(world, received_at=datetime(2026, 10, 5 + day, 9, 30, tzinfo=BEIJING))


@pytest.mark.django_db
def test_a_generated_pack_is_stored_with_hashes_and_audited(world: World, report_root: Path) -> None:
    _october_tickets(world, 3)
    new_ticket(world, received_at=datetime(2026, 11, 2, 9, 0, tzinfo=BEIJING))  # outside the month
    steps: list[tuple[int, int]] = []

    report = report_generate(
        kind="monthly", period=OCTOBER, actor=world.analyst, progress=lambda d, t: steps.append((d, t))
    )

    assert (report.kind, report.period_key, report.version, report.period_label) == (
        "monthly",
        "2026-10",
        1,
        "2026年10月",
    )
    assert report.generated_by == world.analyst
    assert report.summary["received"] == 3
    folder = report_root / "monthly" / "2026-10" / "v1"
    assert sorted(p.name for p in folder.iterdir()) == ["ledger.xlsx", "package.zip", "report.docx"]
    for fmt in ("docx", "xlsx", "zip"):
        content = report.file_path(fmt).read_bytes()
        assert hashlib.sha256(content).hexdigest() == getattr(report, f"{fmt}_sha256")
        assert len(content) == getattr(report, f"{fmt}_size")
    assert "2026年10月" in _docx_text(report.file_path("docx"))
    assert load_workbook(report.file_path("xlsx"), read_only=True).sheetnames[-1] == "台账"
    assert zipfile.ZipFile(io.BytesIO(report.file_path("zip").read_bytes())).testzip() is None
    assert steps[0] == (0, 6) and steps[-1] == (6, 6)
    entry = AuditEntry.objects.filter(action=GENERATE_ACTION).get()
    assert (entry.actor_id, entry.object_id, entry.result) == (world.analyst.pk, str(report.pk), "success")
    assert entry.detail["docx_sha256"] == report.docx_sha256


@pytest.mark.django_db
def test_regeneration_adds_a_version_and_keeps_the_earlier_one(world: World) -> None:
    _october_tickets(world, 1)
    first = report_generate(kind="monthly", period=OCTOBER)
    _october_tickets(world, 2)
    second = report_generate(kind="monthly", period=OCTOBER)

    assert (first.version, second.version) == (1, 2)
    assert first.file_path("docx").exists() and second.file_path("docx").exists()
    assert first.file_path("docx").parent.name == "v1" and second.file_path("docx").parent.name == "v2"
    assert (first.summary["received"], second.summary["received"]) == (1, 3)
    assert first.generated_by is None  # the system
    assert "第2版" not in second.download_name("docx") and second.download_name("docx").endswith("_v2.docx")


@pytest.mark.django_db
def test_a_period_without_tickets_gives_a_no_appeals_report(world: World) -> None:
    report = report_generate(kind="weekly", period=period_parse("weekly", "2026-W42"))

    assert report.summary["received"] == 0
    text = _docx_text(report.file_path("docx"))
    assert "未受理诉求" in text


@pytest.mark.django_db
def test_a_special_report_keeps_its_topic(world: World) -> None:
    _october_tickets(world, 2)
    new_ticket(world, title="路灯不亮", received_at=datetime(2026, 10, 6, 10, 0, tzinfo=BEIJING))
    period = period_special(datetime(2026, 10, 1).date(), datetime(2026, 10, 9).date())

    report = report_generate(kind="special", period=period, topic="路灯")

    assert (report.kind, report.topic, report.period_key) == ("special", "路灯", "2026-10-01_2026-10-09")
    assert report.summary["received"] == 1
    assert "路灯" in report.download_name("docx")


@pytest.mark.django_db
def test_the_public_line_is_refused_in_chinese_and_audited(world: World) -> None:
    with pytest.raises(DomainError, match="公共咨询线尚未启用，暂无法生成该系列报告"):
        report_generate(kind="monthly", period=OCTOBER, family="public_line", actor=world.analyst)
    assert not GeneratedReport.objects.exists()
    assert AuditEntry.objects.get(action=GENERATE_ACTION).result == "failure"


@pytest.mark.django_db
def test_a_kind_that_does_not_match_the_period_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed, match="不一致"):
        report_generate(kind="weekly", period=OCTOBER)


@pytest.mark.django_db
def test_a_special_report_of_one_township_counts_and_packs_its_tickets_only(world: World, report_root: Path) -> None:
    _october_tickets(world, 3)
    new_ticket(
        world, received_at=datetime(2026, 10, 6, 9, 0, tzinfo=BEIJING), district=world.other_district,
        township=world.other_township,
    )  # fmt: skip
    period = period_special(datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date())
    report = report_generate(kind="special", period=period, district=world.township, actor=world.analyst)
    assert report.district == world.township and report.summary["received"] == 3
    assert report.subject == "望京街道" and "_望京街道_v1" in report.download_name("zip")
    ledger = load_workbook(report_root / report.xlsx_path, read_only=True)
    rows = [r for sheet in ledger.worksheets if sheet.title == "台账" for r in sheet.iter_rows(values_only=True)]
    assert rows and not any("海淀区" in str(cell) for row in rows for cell in row if cell)
    assert AuditEntry.objects.get(action=GENERATE_ACTION).detail["district"] == world.township.code


@pytest.mark.django_db
def test_an_area_is_refused_for_a_contract_period(world: World) -> None:
    with pytest.raises(ValidationFailed, match="只有专报可以按区域生成"):
        report_generate(kind="monthly", period=OCTOBER, district=world.district, actor=world.analyst)
    assert not GeneratedReport.objects.exists()
    assert AuditEntry.objects.get(action=GENERATE_ACTION).result == "failure"


@pytest.mark.django_db
def test_a_broken_customer_template_leaves_no_files_and_no_row(world: World, report_root: Path) -> None:
    ReportTemplate.objects.create(
        kind="monthly", name="坏模板", file_name="bad.docx", content=b"not a docx", sha256="0" * 64
    )

    with pytest.raises(Exception):  # noqa: B017 - whatever the docx library raises
        report_generate(kind="monthly", period=OCTOBER, actor=world.analyst)

    assert not GeneratedReport.objects.exists()
    assert not (report_root / "monthly" / "2026-10" / "v1").exists()
    failure = AuditEntry.objects.get(action=GENERATE_ACTION)
    assert failure.result == "failure" and failure.detail["period"] == "2026-10"


@pytest.mark.django_db
def test_a_customer_template_in_force_is_used(world: World) -> None:
    from jiesu.reports.docx_render import template_default

    ReportTemplate.objects.create(
        kind="monthly", name="本中心月报", file_name="m.docx", content=template_default("monthly"), sha256="1" * 64
    )
    report = report_generate(kind="monthly", period=OCTOBER)
    assert report.template is not None and report.template.name == "本中心月报"


def test_a_topic_cannot_turn_a_download_name_into_a_path_or_a_header_break() -> None:
    report = GeneratedReport(kind="special", family="hotline", period_key="2026-10-01_2026-10-09", version=2)
    report.topic = "../暖气\\停供\r\n"
    name = report.download_name("docx")
    assert name == "12345热线专报_2026-10-01_2026-10-09_.._暖气_停供___v2.docx"


@pytest.mark.django_db
def test_special_reports_on_other_topics_are_listed_apart(world: World) -> None:
    from jiesu.reports.selectors import report_versions

    period = period_special(datetime(2026, 10, 1).date(), datetime(2026, 10, 9).date())
    lights = report_generate(kind="special", period=period, topic="路灯")
    heating = report_generate(kind="special", period=period, topic="供暖")
    in_wangjing = report_generate(kind="special", period=period, topic="路灯", district=world.township)
    key: dict[str, Any] = {"family": "hotline", "kind": "special", "period_key": period.key}
    assert list(report_versions(**key, topic="路灯")) == [lights]
    assert list(report_versions(**key, topic="供暖")) == [heating]
    assert list(report_versions(**key, topic="路灯", district=world.township)) == [in_wangjing]
    assert list(report_versions(**key)) == [in_wangjing, heating, lights]  # one numbering per window


@pytest.mark.django_db
def test_only_analysts_and_shift_leads_generate_or_change_the_settings(world: World) -> None:
    from jiesu.core.errors import PermissionDenied
    from jiesu.reports.settings_services import report_schedule_save

    period = period_parse("weekly", "2026-W42")
    for outsider in (world.leader, world.agent, world.township_staff):
        with pytest.raises(PermissionDenied, match="只有分析员和班长可以生成报告"):
            report_generate(kind="weekly", period=period, actor=outsider)
        with pytest.raises(PermissionDenied):
            report_schedule_save(kind="weekly", family="hotline", fields={"enabled": False}, actor=outsider)
    assert not GeneratedReport.objects.exists()
    assert report_generate(kind="weekly", period=period, actor=world.shift_lead).version == 1
