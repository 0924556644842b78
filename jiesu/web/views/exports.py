"""Ledger export from the list page: a background job, a progress page polled by htmx, the file.

Only the user who started an export sees its page and gets its file; to anyone else it does not
exist (404), like a ticket outside their scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiesu.core.errors import NotFound
from jiesu.orgs.security.sessions import client_address
from jiesu.tickets.exporting.jobs import ExportJob, ExportRunning, export_job_file, export_job_for, export_job_start
from jiesu.tickets.exporting.service import search_description, tickets_for_export
from jiesu.web.forms.base import Pickers
from jiesu.web.forms.tickets import TicketFilterForm
from jiesu.web.http import current_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Export the list's current result: the filters come in the query string, as on the list.

    While the user's previous export is still running, they are shown that one instead."""
    user = current_user(request)
    search = TicketFilterForm(request.GET or None, pickers=Pickers()).search()
    try:
        job = export_job_start(
            tickets=tickets_for_export(viewer=user, search=search),
            actor=user,
            filters=search_description(search),
            source_address=client_address(request),
        )
    except ExportRunning as exc:
        messages.error(request, exc.message)
        running = exc.details.get("job_id")
        if running:
            return redirect("web:export_job", job_id=running)
        query = request.GET.urlencode()
        return redirect(reverse("web:ticket_list") + (f"?{query}" if query else ""))
    return redirect("web:export_job", job_id=job.id)


def _own_job(request: HttpRequest, job_id: str) -> ExportJob:
    try:
        return export_job_for(job_id, current_user(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "web/exports/job.html", {"job": _own_job(request, job_id)})


@login_required
def export_job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment; once the job has finished it stops asking to be polled."""
    return render(request, "web/exports/_progress.html", {"job": _own_job(request, job_id)})


@login_required
def export_download(request: HttpRequest, job_id: str) -> FileResponse:
    try:
        job, path = export_job_file(job_id, current_user(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
