"""Knowledge-base endpoints: search, entries (list, create, read, edit with the expected version),
lifecycle steps, versions and diffs, and the suggestions for one ticket.

Who may do what is decided by `jiesu.knowledge` (permissions, services, selectors); these
endpoints parse, resolve references, call them and present the result.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Path, Query, Router, Status, UploadedFile
from pydantic import Field

from jiesu.api.attachments import BINARY, AttachmentId
from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.knowledge_schemas import (
    ActIn,
    DiffOut,
    EntryAttachmentOut,
    EntryCreateIn,
    EntryDetailOut,
    EntryFilterIn,
    EntryListOut,
    EntryPatchIn,
    FieldDiffOut,
    SearchIn,
    SearchOut,
    TicketKnowledgeOut,
    VersionOut,
    entry_attachment_out,
    entry_detail_out,
    hit_out,
    similar_out,
    summary_out,
)
from jiesu.api.schemas import MAX_ID, MAX_OFFSET
from jiesu.api.tickets import FILE_SCHEMA, Number
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.knowledge.attachments import (
    entry_attachment_add,
    entry_attachment_get_for,
    entry_attachment_path,
    entry_attachments,
)
from jiesu.knowledge.choices import EntryStatus
from jiesu.knowledge.libraries import Kind, library_spec
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.permissions import PUBLIC_STATUSES, can_publish_knowledge, can_read_knowledge
from jiesu.knowledge.search.query import knowledge_search
from jiesu.knowledge.selectors import entries_list, entry_get_for, entry_versions, version_diff
from jiesu.knowledge.services import (
    Action,
    entry_create,
    entry_expire,
    entry_publish,
    entry_reject,
    entry_submit,
    entry_update,
)
from jiesu.knowledge.suggestions import knowledge_for_ticket
from jiesu.orgs.models import Unit, User
from jiesu.tickets.models import Category
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["知识库"])
ticket_router = Router(tags=["知识库"])

EntryId = Annotated[int, Path(description="知识条目 id", ge=1, le=MAX_ID)]
VersionNumber = Annotated[int, Field(ge=1, le=MAX_OFFSET)]


def _reader(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_read_knowledge(user):
        raise PermissionDenied("无权查看知识库")
    return user


def _unit(ref: int | str | None, field: str) -> Unit | None:
    if ref is None:
        return None
    found = Unit.objects.filter(pk=ref).first() if isinstance(ref, int) else Unit.objects.filter(code=ref).first()
    if found is None:
        raise ValidationFailed(f"单位不存在：{ref}", field=field)
    return found


def _category(ref: int | str | None, field: str = "category") -> Category | None:
    if ref is None:
        return None
    qs = Category.objects.all()
    found = qs.filter(pk=ref).first() if isinstance(ref, int) else qs.filter(code=ref).first()
    if found is None:
        raise ValidationFailed(f"问题分类不存在：{ref}", field=field)
    return found


def _values(data: dict[str, Any], library: str) -> dict[str, Any]:
    """Body fields → the columns the services take: references resolved to units and categories."""
    spec = library_spec(library)
    values = dict(data)
    for name, value in data.items():
        kind = spec.field(name).kind if name in spec.names else None
        if kind == Kind.UNIT:
            values[name] = _unit(value, name)
        elif kind == Kind.CATEGORY:
            values[name] = _category(value, name)
    return values


@router.get(
    "/search",
    response=responses({200: SearchOut}, 400),
    summary="检索知识库",
    description="中文全文检索全部知识库（结巴分词，两字词可命中，标题加权）。"
    "title_html / snippet_html 为已转义的 HTML，命中词以 <mark> 标出。命中少时 suggestions 给出相近的检索词。"
    "status 仅知识库编辑可指定为草稿或待审核。",
)
def knowledge_search_endpoint(request: HttpRequest, filters: Query[SearchIn]) -> SearchOut:
    user = _reader(request)
    statuses = tuple(filters.status or (EntryStatus.PUBLISHED,))
    if not can_publish_knowledge(user) and any(s not in PUBLIC_STATUSES for s in statuses):
        raise PermissionDenied("只有知识库编辑可以检索草稿和待审核的条目")
    page = knowledge_search(
        filters.q,
        viewer=user,
        libraries=tuple(filters.library or ()),
        category=_category(filters.category),
        valid_on=filters.valid_on,
        statuses=statuses,
        limit=filters.limit,
        offset=filters.offset,
    )
    return SearchOut(
        total=page.total,
        limit=filters.limit,
        offset=filters.offset,
        terms=page.terms,
        suggestions=page.suggestions,
        hits=[hit_out(h) for h in page.hits],
    )


@router.get("/entries", response=responses({200: EntryListOut}, 400), summary="知识条目列表")
def entry_list_endpoint(request: HttpRequest, filters: Query[EntryFilterIn]) -> EntryListOut:
    user = _reader(request)
    qs = entries_list(viewer=user, library=filters.library, status=filters.status, unit=_unit(filters.unit, "unit"))
    page = qs[filters.offset : filters.offset + filters.limit]
    return EntryListOut(
        count=qs.count(), limit=filters.limit, offset=filters.offset, items=[summary_out(e) for e in page]
    )


@router.post(
    "/entries",
    response=responses({201: EntryDetailOut}, 400),
    summary="新建知识条目（草稿）",
    description="只接受所选知识库使用的字段（见条目详情的 fields）；单位、问题分类可给 id 或编码。",
)
def entry_create_endpoint(request: HttpRequest, payload: EntryCreateIn) -> Status[EntryDetailOut]:
    user = _reader(request)
    data = payload.model_dump(exclude_unset=True, exclude={"library"})
    entry = entry_create(actor=user, library=payload.library, **_values(data, payload.library))
    return Status(201, entry_detail_out(entry_get_for(viewer=user, entry_id=entry.pk)))


@router.get("/entries/{entry_id}", response=responses({200: EntryDetailOut}, 404), summary="知识条目详情")
def entry_detail_endpoint(request: HttpRequest, entry_id: EntryId) -> EntryDetailOut:
    return entry_detail_out(entry_get_for(viewer=_reader(request), entry_id=entry_id))


@router.patch(
    "/entries/{entry_id}",
    response=responses({200: EntryDetailOut}, 400, 404, 409),
    summary="修改知识条目",
    description="只修改给出的字段。expected_version 为修改所依据的版本；其间若有人保存过，返回 409 conflict。",
)
def entry_update_endpoint(request: HttpRequest, entry_id: EntryId, payload: EntryPatchIn) -> EntryDetailOut:
    user = _reader(request)
    with transaction.atomic():
        entry = entry_get_for(viewer=user, entry_id=entry_id)
        data = payload.model_dump(exclude_unset=True, exclude={"expected_version"})
        entry_update(entry=entry, actor=user, expected_version=payload.expected_version, **_values(data, entry.library))
    return entry_detail_out(entry_get_for(viewer=user, entry_id=entry_id))


@router.get("/entries/{entry_id}/versions", response=responses({200: list[VersionOut]}, 404), summary="版本历史")
def entry_versions_endpoint(request: HttpRequest, entry_id: EntryId) -> list[VersionOut]:
    entry = entry_get_for(viewer=_reader(request), entry_id=entry_id)
    return [
        VersionOut(
            number=v.number,
            status=EntryStatus(v.status),
            changed_by=str(v.changed_by) if v.changed_by else None,
            changed_at=v.changed_at,
            note=v.note,
            snapshot=v.snapshot,
        )
        for v in entry_versions(entry)
    ]


@router.get(
    "/entries/{entry_id}/diff",
    response=responses({200: DiffOut}, 404),
    summary="两个版本的差异",
    description="from、to 为版本号；长文本另给 diff_html（已转义，删除部分为 <del>，新增部分为 <ins>）。",
)
def entry_diff_endpoint(
    request: HttpRequest,
    entry_id: EntryId,
    from_number: Annotated[VersionNumber, Query(alias="from", description="起始版本号")],
    to_number: Annotated[VersionNumber, Query(alias="to", description="目标版本号")],
) -> DiffOut:
    entry = entry_get_for(viewer=_reader(request), entry_id=entry_id)
    diffs = version_diff(entry, from_number, to_number)
    fields = [FieldDiffOut(name=d.name, label=d.label, old=d.old, new=d.new, diff_html=d.diff_html) for d in diffs]
    return DiffOut(entry_id=entry.pk, from_version=from_number, to_version=to_number, fields=fields)


def _step(entry: KnowledgeEntry, action: Action, user: User, reason: str) -> None:
    if action == Action.SUBMIT:
        entry_submit(entry=entry, actor=user)
    elif action == Action.PUBLISH:
        entry_publish(entry=entry, actor=user)
    elif action == Action.REJECT:
        entry_reject(entry=entry, actor=user, reason=reason)
    else:
        entry_expire(entry=entry, actor=user, reason=reason)


@router.get(
    "/entries/{entry_id}/attachments",
    response=responses({200: list[EntryAttachmentOut]}, 404),
    summary="知识条目附件列表",
)
def entry_attachments_endpoint(request: HttpRequest, entry_id: EntryId) -> list[EntryAttachmentOut]:
    entry = entry_get_for(viewer=_reader(request), entry_id=entry_id)
    return [entry_attachment_out(a) for a in entry_attachments(entry)]


@router.post(
    "/entries/{entry_id}/attachments",
    response=responses({201: EntryAttachmentOut}, 400, 403, 404),
    summary="上传知识条目附件",
    description="multipart/form-data，字段 file。仅可编辑该条目的用户可上传；允许 PDF、OFD、Word、Excel、WPS、"
    "文本与 JPG/PNG 图片。",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": FILE_SCHEMA}}}},
)
def entry_attachment_upload_endpoint(
    request: HttpRequest, entry_id: EntryId, file: File[UploadedFile]
) -> Status[EntryAttachmentOut]:
    user = _reader(request)
    entry = entry_get_for(viewer=user, entry_id=entry_id)
    return Status(201, entry_attachment_out(entry_attachment_add(entry=entry, actor=user, upload=file)))


@router.get(
    "/entries/{entry_id}/attachments/{attachment_id}",
    response=responses({200: None}, 404),
    summary="下载知识条目附件",
    openapi_extra={"responses": {200: {"description": "附件文件", "content": BINARY}}},
)
def entry_attachment_download_endpoint(
    request: HttpRequest, entry_id: EntryId, attachment_id: AttachmentId
) -> FileResponse:
    attachment = entry_attachment_get_for(viewer=_reader(request), entry_id=entry_id, attachment_id=attachment_id)
    # Always a download, never rendered inline: uploaded HTML or SVG must not run in our origin.
    return FileResponse(
        entry_attachment_path(attachment).open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )


# After /versions and /diff: its {action} would otherwise take their paths.
@router.post(
    "/entries/{entry_id}/{action}",
    response=responses({200: EntryDetailOut}, 400, 404, 409),
    summary="提交审核 / 发布 / 退回 / 设为失效",
    description="action：submit（草稿 → 待审核）、publish（发布，仅知识库编辑）、reject（退回草稿，须填 reason，"
    "仅知识库编辑）、expire（设为失效，仅知识库编辑）。给出 expected_version 时，若条目已被他人修改则返回 409。",
)
def entry_act_endpoint(
    request: HttpRequest, entry_id: EntryId, action: Action, payload: ActIn | None = None
) -> EntryDetailOut:
    user = _reader(request)
    payload = payload or ActIn.model_validate({})
    with transaction.atomic():
        entry = entry_get_for(viewer=user, entry_id=entry_id)
        if payload.expected_version is not None and payload.expected_version != entry.version:
            raise Conflict(
                f"条目已有更新的版本（第 {entry.version} 版），请刷新后重试",
                entry_id=entry.pk,
                expected_version=payload.expected_version,
                current_version=entry.version,
            )
        _step(entry, action, user, payload.reason)
    return entry_detail_out(entry_get_for(viewer=user, entry_id=entry_id))


@ticket_router.get(
    "/{number}/knowledge",
    response=responses({200: TicketKnowledgeOut}, 404),
    summary="工单的知识推荐",
    description="与工单内容相关的政策、标准答复、行业问题、权责清单中的责任单位，以及相似的已办结工单及其答复。",
)
def ticket_knowledge_endpoint(request: HttpRequest, number: Number) -> TicketKnowledgeOut:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    if not can_read_knowledge(user):
        raise PermissionDenied("无权查看知识库")
    knowledge = knowledge_for_ticket(ticket=ticket, viewer=user)
    return TicketKnowledgeOut(
        policies=[hit_out(h) for h in knowledge.policies],
        standard_answers=[hit_out(h) for h in knowledge.standard_answers],
        sector_issues=[hit_out(h) for h in knowledge.sector_issues],
        responsible_units=[summary_out(r.hit.entry) for r in knowledge.responsible_units],
        similar_tickets=[similar_out(s) for s in knowledge.similar_tickets],
    )
