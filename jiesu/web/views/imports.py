"""Ledger import: upload, a progress page polled by htmx, then the summary with row errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiesu.orgs.models import User
from jiesu.web.access import can_intake
from jiesu.web.forms.imports import ImportForm
from jiesu.web.http import current_user
from jiesu.web.jobs import ImportJob, import_job_get, import_job_start


def _importer(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_intake(user):
        raise PermissionDenied
    return user


def _store_upload(upload: UploadedFile) -> Path:
    """Copy the upload to a private temporary folder; the job deletes the folder when done."""
    folder = Path(tempfile.mkdtemp(prefix="jiesu-import-"))
    path = folder / ("ledger" + Path(upload.name or "").suffix.lower())
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job_id = import_job_start(
            path=_store_upload(upload),
            file_name=upload.name or "",
            mapping=form.cleaned_data["mapping"],
            source=form.cleaned_data["source"].strip(),
            dry_run=form.cleaned_data["dry_run"],
            actor=user,
        )
        return redirect("web:import_job", job_id=job_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/imports/start.html", {"form": form}, status=status)


def _own_job(request: HttpRequest, job_id: str) -> ImportJob:
    user = _importer(request)
    job = import_job_get(job_id)
    if job is None or job.owner_id != user.pk:
        raise Http404("导入任务不存在或已过期")
    return job


@login_required
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "web/imports/job.html", {"job": _own_job(request, job_id)})


@login_required
def import_job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment; once the job has finished it stops asking to be polled."""
    return render(request, "web/imports/_progress.html", {"job": _own_job(request, job_id)})
