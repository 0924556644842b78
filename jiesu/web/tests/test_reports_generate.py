"""Generating a report pack from the page (background job, progress, downloads) and the delivery
settings: schedules and customer .docx templates."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from jiesu.audit.models import AuditEntry
from jiesu.orgs.testing import World
from jiesu.reports.models import GeneratedReport, ReportSchedule, ReportTemplate
from jiesu.tickets.models import Ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text
from jiesu.web.tests.test_reports import WEEK, tickets_in_week
from jiesu.web.views.reports_jobs import report_job_wait

CHOICE = {"kind": "weekly", "period": WEEK, "family": "hotline"}


@pytest.fixture(autouse=True)
def _own_report_root(settings: Any, tmp_path: Path) -> None:
    # Version folders left on disk by earlier tests would otherwise move the version numbers on.
    settings.REPORT_ROOT = tmp_path / "reports"


def text_of(response: Any) -> str:
    return html.unescape(page_text(response))


def docx_bytes(text: str = "{{ period_label }}") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def generate(client: Any) -> str:
    response = client.post("/reports/generate", CHOICE)
    assert response.status_code == 302, text_of(response)
    job_id = str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]
    report_job_wait(job_id, timeout=120)
    return job_id


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_generate_runs_in_the_background_and_offers_the_files(login_as: LoginAs, world: World) -> None:
    tickets_in_week(world, 3)
    client = login_as(world.analyst)
    job_id = generate(client)
    progress = text_of(client.get(f"/reports/jobs/{job_id}/progress"))
    assert 'id="report-done"' in progress and "hx-get" not in progress  # finished: polling stops
    report = GeneratedReport.objects.get()
    assert report.version == 1 and report.generated_by == world.analyst and report.summary["received"] == 3
    links = re.findall(r'href="(/reports/\d+/(?:docx|xlsx|zip))"', progress)
    assert {link.rsplit("/", 1)[1] for link in links} == {"docx", "xlsx", "zip"}

    leader = login_as(world.leader)  # leaders download what others generated
    docx = leader.get(f"/reports/{report.pk}/docx")
    assert docx.status_code == 200 and docx["Cache-Control"] == "no-store"
    document = Document(io.BytesIO(body(docx)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本周共受理诉求3件" in text
    assert zipfile.ZipFile(io.BytesIO(body(leader.get(f"/reports/{report.pk}/zip")))).namelist()
    assert AuditEntry.objects.filter(action="reports.download", actor=world.leader).exists()

    generate(client)  # regenerating keeps the earlier version
    page = text_of(client.get("/reports/", CHOICE))
    assert 'data-version="2"' in page and 'data-version="1"' in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_area_special_report_is_generated_for_that_area_only(login_as: LoginAs, world: World) -> None:
    inside = tickets_in_week(world, 3)
    elsewhere = tickets_in_week(world, 2)
    Ticket.objects.filter(pk__in=[t.pk for t in elsewhere]).update(
        district=world.other_district, township=world.other_township
    )
    choice = {"kind": "special", "family": "hotline", "start": "2026-09-28", "end": "2026-10-04"}
    client = login_as(world.analyst)
    preview = text_of(client.get("/reports/", {**choice, "district": str(world.district.pk)}))
    assert "朝阳区" in preview
    response = client.post("/reports/generate", {**choice, "district": str(world.district.pk)})
    assert response.status_code == 302, text_of(response)
    report_job_wait(str(response["Location"]).rstrip("/").rsplit("/", 1)[-1], timeout=120)
    report = GeneratedReport.objects.get()
    assert report.district == world.district and report.summary["received"] == len(inside)
    docx = client.get(f"/reports/{report.pk}/docx")
    assert "_朝阳区_v1.docx" in unquote(docx["Content-Disposition"])
    text = "\n".join(p.text for p in Document(io.BytesIO(body(docx))).paragraphs)
    assert "朝阳区" in text
    ledger = load_workbook(io.BytesIO(body(client.get(f"/reports/{report.pk}/xlsx"))), read_only=True)
    numbers = {row[0] for sheet in ledger.worksheets for row in sheet.iter_rows(values_only=True) if row}
    assert {t.number for t in inside} <= numbers and not {t.number for t in elsewhere} & numbers
    entry = AuditEntry.objects.get(action="reports.generate")
    assert entry.detail["district"] == world.district.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_the_starter_sees_the_job(login_as: LoginAs, world: World) -> None:
    job_id = generate(login_as(world.analyst))
    assert login_as(world.shift_lead).get(f"/reports/jobs/{job_id}/").status_code == 404
    assert login_as(world.township_staff).get(f"/reports/jobs/{job_id}/").status_code == 403


@pytest.mark.django_db
def test_downloads_are_refused_to_unit_staff_and_unknown_files_are_404(login_as: LoginAs, world: World) -> None:
    assert login_as(world.township_staff).get("/reports/1/docx").status_code == 403
    assert login_as(world.leader).get("/reports/999/docx").status_code == 404
    assert login_as(world.leader).get("/reports/1/pdf").status_code == 404


@pytest.mark.django_db
def test_a_template_upload_rejects_what_is_not_a_docx(login_as: LoginAs, world: World) -> None:
    client = login_as(world.shift_lead)
    fake = SimpleUploadedFile("周报模板.docx", b"not a word file", content_type="application/octet-stream")
    response = client.post("/reports/settings/templates", {"kind": "weekly", "family": "hotline", "file": fake})
    assert response.status_code == 400
    text = text_of(response)
    field = re.search(r'<div class="field has-error[^"]*">\s*<label for="template_file">(.*?)</div>', text, re.S)
    assert field is not None and "文件不是有效的 Word 文档（.docx）" in field.group(1)
    assert re.search(r'<option value="weekly" selected>', text)  # the choice is kept
    xlsx = SimpleUploadedFile("模板.xlsx", b"PK", content_type="application/octet-stream")
    wrong = client.post("/reports/settings/templates", {"kind": "weekly", "family": "hotline", "file": xlsx})
    assert "只支持 Word 文档（.docx）" in text_of(wrong)
    assert not ReportTemplate.objects.exists()


@pytest.mark.django_db
def test_a_template_that_unpacks_to_too_much_is_refused(login_as: LoginAs, world: World) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(packed, "w") as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr(zipfile.ZipInfo("word/media/filler.bin"), b"\0" * (51 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    assert len(packed.getvalue()) < 1024 * 1024
    upload = SimpleUploadedFile("周报模板.docx", packed.getvalue(), content_type="application/octet-stream")
    response = login_as(world.analyst).post(
        "/reports/settings/templates", {"kind": "weekly", "family": "hotline", "file": upload}
    )
    assert response.status_code == 400
    assert "Word 文档解压后过大" in text_of(response)
    assert not ReportTemplate.objects.exists()


@pytest.mark.django_db
def test_a_template_with_a_broken_tag_is_refused_at_upload(login_as: LoginAs, world: World) -> None:
    upload = SimpleUploadedFile(
        "月报模板.docx", docx_bytes("{{ period_label "), content_type="application/octet-stream"
    )
    response = login_as(world.analyst).post(
        "/reports/settings/templates", {"kind": "monthly", "family": "hotline", "file": upload}
    )
    assert response.status_code == 400
    assert "报告模板有误，无法生成报告" in text_of(response)
    assert (
        not ReportTemplate.objects.exists() and not AuditEntry.objects.filter(action="reports.template_upload").exists()
    )


@pytest.mark.django_db
def test_a_real_docx_template_is_stored_and_audited(login_as: LoginAs, world: World) -> None:
    upload = SimpleUploadedFile("月报模板.docx", docx_bytes(), content_type="application/octet-stream")
    client = login_as(world.analyst)
    response = client.post("/reports/settings/templates", {"kind": "monthly", "family": "hotline", "file": upload})
    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert template.kind == "monthly" and template.uploaded_by == world.analyst and template.is_active
    assert AuditEntry.objects.filter(action="reports.template_upload").exists()
    assert "月报模板.docx" in text_of(client.get("/reports/settings/"))
    client.post(f"/reports/settings/templates/{template.pk}/deactivate")
    template.refresh_from_db()
    assert not template.is_active


@pytest.mark.django_db
def test_leaders_see_the_settings_but_may_not_change_them(login_as: LoginAs, world: World) -> None:
    client = login_as(world.leader)
    page = text_of(client.get("/reports/settings/"))
    assert 'id="report-schedules"' in page and 'id="template-form"' not in page and 'id="schedule-form"' not in page
    upload = SimpleUploadedFile("t.docx", docx_bytes(), content_type="application/octet-stream")
    assert client.post("/reports/settings/templates", {"kind": "weekly", "file": upload}).status_code == 403
    assert client.post("/reports/settings/schedule", {"kind": "weekly"}).status_code == 403


@pytest.mark.django_db
def test_a_schedule_is_saved_and_a_bad_address_is_shown_beside_the_field(login_as: LoginAs, world: World) -> None:
    client = login_as(world.shift_lead)
    data = {"kind": "weekly", "family": "hotline", "enabled": "on", "due_weekday": "2", "send_hour": "9"}
    bad = client.post("/reports/settings/schedule", {**data, "recipients": "leader@example.cn, 不是邮箱"})
    assert bad.status_code == 400
    text = text_of(bad)
    field = re.search(r'<label for="schedule_recipients">(.*?)</div>', text, re.S)
    assert field is not None and "邮箱地址无效：不是邮箱" in field.group(1)
    assert "leader@example.cn, 不是邮箱" in field.group(1)
    ok = client.post("/reports/settings/schedule", {**data, "recipients": "a@example.cn\nb@example.cn"})
    assert ok.status_code == 302
    schedule = ReportSchedule.objects.get(kind="weekly")
    assert schedule.enabled and schedule.due_weekday == 2 and schedule.send_hour == 9
    assert schedule.recipients == ["a@example.cn", "b@example.cn"]
    page = text_of(client.get("/reports/settings/"))
    assert "次周星期三" in page and "a@example.cn、b@example.cn" in page
