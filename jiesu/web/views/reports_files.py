"""The generated versions of a period, the progress of a generation job, and the file downloads.

Every version stays downloadable (regeneration keeps earlier versions); each download is audited,
since the material package carries the period's ledger and callback results.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.audit.services import audit_record
from jiesu.core.errors import NotFound
from jiesu.orgs.models import User
from jiesu.orgs.security.sessions import client_address
from jiesu.reports.choices import ReportKind
from jiesu.reports.models import FILE_FORMATS, GeneratedReport, ReportStatus
from jiesu.reports.periods import ReportPeriod
from jiesu.reports.permissions import READ_DENIED, can_read_reports
from jiesu.reports.selectors import report_versions
from jiesu.web.http import current_user
from jiesu.web.views.reports_jobs import ReportJob, report_job_for

DOWNLOAD_ACTION = "reports.download"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def report_reader(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_read_reports(user):
        raise PermissionDenied(READ_DENIED)
    return user


def versions_of(period: ReportPeriod, *, family: str, topic: str = "") -> list[GeneratedReport]:
    """Every version generated for the period (for a special report: on this topic), newest first."""
    only = topic if period.kind == ReportKind.SPECIAL else None
    reports = report_versions(family=family, kind=period.kind, period_key=period.key, topic=only)
    return list(reports.select_related("generated_by"))


def report_file_get(report_id: int, fmt: str) -> tuple[GeneratedReport, str]:
    """The report and the path of one of its files; NotFound when either is missing."""
    if fmt not in FILE_FORMATS:
        raise NotFound("文件格式无效")
    report = GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.READY).first()
    if report is None:
        raise NotFound("报告不存在")
    path = report.file_path(fmt)
    if not path.is_file():
        raise NotFound("报告文件已不存在，请重新生成")
    return report, str(path)


def report_file_response(report: GeneratedReport, path: str, fmt: str) -> FileResponse:
    # S: the path comes from the stored row, under REPORT_ROOT, never from the request.
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=report.download_name(fmt),
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "no-store"
    return response


def _own_job(request: HttpRequest, job_id: str) -> ReportJob:
    try:
        return report_job_for(job_id, report_reader(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _job_context(job: ReportJob) -> dict[str, object]:
    report = None
    if job.report_id is not None:
        report = GeneratedReport.objects.filter(pk=job.report_id).first()
    return {"job": job, "report": report, "formats": FILE_FORMATS}


@login_required
def report_job(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "web/reports/job.html", _job_context(_own_job(request, job_id)))


@login_required
def report_job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment; once the job has finished it stops asking to be polled."""
    return render(request, "web/reports/_progress.html", _job_context(_own_job(request, job_id)))


@login_required
def report_download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    user = report_reader(request)
    try:
        report, path = report_file_get(report_id, fmt)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    audit_record(
        actor=user,
        action=DOWNLOAD_ACTION,
        obj=report,
        source_address=client_address(request),
        detail={"format": fmt, "version": report.version, "period": report.period_key},
    )
    return report_file_response(report, path, fmt)
