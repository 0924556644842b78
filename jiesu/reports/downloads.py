"""Handing out a generated file: who may, which file, and the audit line every download leaves
(web page and API alike)."""

from __future__ import annotations

from pathlib import Path

from jiesu.audit.services import audit_record
from jiesu.core.errors import NotFound, PermissionDenied
from jiesu.orgs.models import User
from jiesu.reports.models import FILE_FORMATS, GeneratedReport, ReportStatus
from jiesu.reports.permissions import READ_DENIED, can_read_reports

DOWNLOAD_ACTION = "reports.download"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def report_file_for(
    *, report_id: int, fmt: str, viewer: User, source_address: str | None = None, source: str = "web"
) -> tuple[GeneratedReport, Path]:
    """The report and the path of its `fmt` file, audited as a download. The path comes from the
    stored row, under REPORT_ROOT, never from the request."""
    if not can_read_reports(viewer):
        raise PermissionDenied(READ_DENIED)
    if fmt not in FILE_FORMATS:
        raise NotFound("文件格式无效")
    report = GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.READY).first()
    if report is None:
        raise NotFound("报告不存在")
    path = report.file_path(fmt)
    if not path.is_file():
        raise NotFound("报告文件已不存在，请重新生成")
    audit_record(
        actor=viewer,
        action=DOWNLOAD_ACTION,
        obj=report,
        source_address=source_address,
        detail={"format": fmt, "version": report.version, "period": report.period_key, "source": source},
    )
    return report, path
