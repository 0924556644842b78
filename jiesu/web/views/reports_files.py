"""The generated versions of a period, the progress of a generation job, and the file downloads.

Every version stays downloadable (regeneration keeps earlier versions); each download is audited,
since the material package carries the period's ledger and callback results.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.core.errors import NotFound
from jiesu.orgs.models import Unit, User
from jiesu.orgs.security.sessions import client_address
from jiesu.reports.choices import ReportKind
from jiesu.reports.downloads import CONTENT_TYPES, report_file_for
from jiesu.reports.models import FILE_FORMATS, GeneratedReport
from jiesu.reports.periods import ReportPeriod
from jiesu.reports.permissions import READ_DENIED, can_read_reports
from jiesu.reports.selectors import report_versions
from jiesu.web.http import current_user
from jiesu.web.views.reports_jobs import ReportJob, report_job_for


def report_reader(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_read_reports(user):
        raise PermissionDenied(READ_DENIED)
    return user


def versions_of(
    period: ReportPeriod, *, family: str, topic: str = "", district: Unit | None = None
) -> list[GeneratedReport]:
    """Every version generated for the period (for a special report: on this topic and area),
    newest first."""
    special = period.kind == ReportKind.SPECIAL
    reports = report_versions(
        family=family,
        kind=period.kind,
        period_key=period.key,
        topic=topic if special else None,
        district=district if special else None,
    )
    return list(reports.select_related("generated_by", "district"))


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
    try:
        report, path = report_file_for(
            report_id=report_id, fmt=fmt, viewer=report_reader(request), source_address=client_address(request)
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=report.download_name(fmt), content_type=CONTENT_TYPES[fmt]
    )
    response["Cache-Control"] = "no-store"
    return response
