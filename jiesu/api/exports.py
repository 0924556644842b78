"""Ledger export (台账) as a background job: start it, poll it, download the .xlsx.

Only the user who started an export sees its status and gets its file; to anyone else the job
does not exist (404), as with a ticket outside their scope.
"""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse, HttpRequest
from ninja import Field, Path, Router, Schema, Status

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.filters import ticket_search_from
from jiesu.api.schemas import Code, TicketFilterIn
from jiesu.orgs.security.sessions import client_address
from jiesu.tickets.exporting.jobs import ExportJob, export_job_file, export_job_for, export_job_start
from jiesu.tickets.exporting.service import SELECTION_MAX, search_description, tickets_for_export

router = Router(tags=["导出"])

JobId = Annotated[str, Path(description="导出任务 id", pattern=r"^[0-9a-f]{32}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TicketExportIn(TicketFilterIn):
    """The list endpoint's filters (limit and offset are ignored: the whole result is exported),
    or a selection of ticket numbers."""

    numbers: list[Code] | None = Field(
        None, max_length=SELECTION_MAX, description=f"只导出这些工单（最多 {SELECTION_MAX} 件）；给出时忽略其余筛选条件"
    )


class ExportJobOut(Schema):
    id: str
    state: str = Field(description="queued 排队中 / running 导出中 / done 完成 / failed 失败")
    processed: int = Field(description="已写入的行数")
    total: int | None = Field(description="总行数（开始写入后才知道）")
    percent: int
    rows: int = Field(description="完成后的行数")
    error: str = Field(description="失败时的中文原因")
    file_url: str | None = Field(description="完成后下载文件的地址")


def _job_out(job: ExportJob) -> ExportJobOut:
    return ExportJobOut(
        id=job.id,
        state=job.state,
        processed=job.processed,
        total=job.total,
        percent=job.percent,
        rows=job.rows,
        error=job.error,
        file_url=f"/api/exports/{job.id}/file" if job.state == "done" else None,
    )


@router.post(
    "/tickets/export",
    response=responses({202: ExportJobOut}, 400, 409),
    summary="导出工单台账（Excel）",
    description="按与工单列表相同的筛选条件（或 numbers 指定的工单）在后台生成 .xlsx 台账，返回任务；"
    "用 GET /api/exports/{id} 查询进度，完成后从 file_url 下载。诉求人信息脱敏，每次导出记入审计日志。"
    "文件保留 24 小时，只有发起人可以下载。同一用户同时只能有一个导出任务："
    "前一个仍在排队或导出中时返回 409 export_running（details.job_id 为进行中的任务）。",
)
def export_start_endpoint(request: HttpRequest, payload: TicketExportIn) -> Status[ExportJobOut]:
    user = request_user(request)
    if payload.numbers is not None:
        tickets = tickets_for_export(viewer=user, numbers=payload.numbers)
        filters: dict[str, object] = {"numbers": payload.numbers}
    else:
        search = ticket_search_from(payload)
        tickets = tickets_for_export(viewer=user, search=search)
        filters = search_description(search)
    job = export_job_start(
        tickets=tickets, actor=user, filters={**filters, "source": "api"}, source_address=client_address(request)
    )
    return Status(202, _job_out(job))


@router.get("/exports/{job_id}", response=responses({200: ExportJobOut}, 404), summary="导出任务进度")
def export_status_endpoint(request: HttpRequest, job_id: JobId) -> ExportJobOut:
    return _job_out(export_job_for(job_id, request_user(request)))


@router.get(
    "/exports/{job_id}/file",
    response=responses({200: None}, 404),
    summary="下载导出的台账",
    openapi_extra={"responses": {200: {"description": "Excel 文件", "content": {XLSX: {}}}}},
)
def export_file_endpoint(request: HttpRequest, job_id: JobId) -> FileResponse:
    job, path = export_job_file(job_id, request_user(request))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
