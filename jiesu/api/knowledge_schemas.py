"""Schemas of the knowledge-base endpoints, and the presenters that fill them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from jiesu.api.presenters import actor_out, category_ref, unit_ref
from jiesu.api.schemas import (
    MAX_OFFSET,
    NO_NUL,
    ActorOut,
    CategoryRef,
    LongText,
    Ref,
    Text64,
    Text100,
    UnitRef,
)
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.libraries import CONTACT_KEYS, library_spec
from jiesu.knowledge.models import EntryAttachment, KnowledgeEntry
from jiesu.knowledge.search.query import SearchHit
from jiesu.tickets.selectors_similar import SimilarTicket

Text255 = Annotated[str, Field(max_length=255, pattern=NO_NUL)]
Text500 = Annotated[str, Field(max_length=500, pattern=NO_NUL)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]


class SearchIn(Schema):
    q: Text100 = Field(..., description="检索词，如“供暖 补贴”")
    library: list[Library] | None = Field(None, description="知识库；可重复给出，任一即可")
    category: Ref | None = Field(None, description="问题分类（含下级）：id 或编码")
    valid_on: date | None = Field(None, description="只要这一天在有效期内的条目")
    status: list[EntryStatus] | None = Field(None, description="状态，默认 published；草稿、待审核仅知识库编辑可查")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class EntryFilterIn(Schema):
    library: Library | None = None
    status: EntryStatus | None = None
    unit: Ref | None = Field(None, description="单位：id 或编码")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ContactIO(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text64 = Field(..., description="姓名")
    role: Text64 = Field("", description="职务")
    phone: Text64 = Field("", description="电话")
    mobile: Text64 = Field("", description="手机")
    email: Text100 = Field("", description="邮箱")


class EntryFieldsIn(Schema):
    """The columns of any library; a library accepts only its own (others: 400)."""

    model_config = ConfigDict(extra="forbid")

    title: Text255 | None = None
    body: LongText | None = Field(None, description="正文：政策全文、答复口径、处理指引、事项说明或备注")
    category: Ref | None = Field(None, description="问题分类：id 或编码")
    tags: list[Tag] | None = Field(None, max_length=30)
    unit: Ref | None = Field(None, description="单位：id 或编码")
    document_number: Annotated[str, Field(max_length=128, pattern=NO_NUL)] | None = None
    issuing_body: Text255 | None = None
    issued_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    question: Text500 | None = None
    script: LongText | None = None
    excludable: bool | None = None
    legal_basis: LongText | None = None
    contacts: list[ContactIO] | None = Field(None, max_length=100)
    duty_phone: Text64 | None = None
    wecom_group: Text255 | None = None


class EntryCreateIn(EntryFieldsIn):
    library: Library


class EntryPatchIn(EntryFieldsIn):
    expected_version: int = Field(..., ge=1, le=MAX_OFFSET, description="修改所依据的版本号（乐观锁）")


class ActIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text255 = Field("", description="退回原因（reject 必填）或失效说明")
    expected_version: int | None = Field(None, ge=1, le=MAX_OFFSET, description="乐观锁：当前版本号")


class EntrySummaryOut(Schema):
    id: int
    library: Library
    library_label: str
    status: EntryStatus
    status_label: str
    title: str
    unit: UnitRef | None
    category: CategoryRef | None
    valid_from: date | None
    valid_to: date | None
    version: int
    updated_at: datetime


class EntryDetailOut(EntrySummaryOut):
    body: str
    tags: list[str]
    document_number: str
    issuing_body: str
    issued_on: date | None
    question: str
    script: str
    excludable: bool | None
    legal_basis: str
    contacts: list[ContactIO]
    duty_phone: str
    wecom_group: str
    created_at: datetime
    published_at: datetime | None
    fields: dict[str, str] = Field(description="本知识库使用的字段及其中文名称")


class EntryListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntrySummaryOut]


class HitOut(Schema):
    entry: EntrySummaryOut
    score: float
    title_html: str
    snippet_html: str


class SearchOut(Schema):
    total: int
    limit: int
    offset: int
    terms: list[str]
    suggestions: list[str]
    hits: list[HitOut]


class VersionOut(Schema):
    number: int
    status: EntryStatus
    changed_by: str | None
    changed_at: datetime
    note: str
    snapshot: dict[str, Any]


class FieldDiffOut(Schema):
    name: str
    label: str
    old: str
    new: str
    diff_html: str


class DiffOut(Schema):
    entry_id: int
    from_version: int
    to_version: int
    fields: list[FieldDiffOut]


class SimilarTicketOut(Schema):
    number: str
    title: str
    received_at: datetime
    closed_at: datetime | None
    score: float
    reply_text: str


class TicketKnowledgeOut(Schema):
    policies: list[HitOut]
    standard_answers: list[HitOut]
    sector_issues: list[HitOut]
    responsible_units: list[EntrySummaryOut]
    similar_tickets: list[SimilarTicketOut]


def summary_out(entry: KnowledgeEntry) -> EntrySummaryOut:
    return EntrySummaryOut(
        id=entry.pk,
        library=Library(entry.library),
        library_label=Library(entry.library).label,
        status=EntryStatus(entry.status),
        status_label=EntryStatus(entry.status).label,
        title=entry.title,
        unit=unit_ref(entry.unit),
        category=category_ref(entry.category),
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        version=entry.version,
        updated_at=entry.updated_at,
    )


def entry_detail_out(entry: KnowledgeEntry) -> EntryDetailOut:
    summary = summary_out(entry).model_dump()
    return EntryDetailOut(
        **summary,
        body=entry.body,
        tags=[str(t) for t in entry.tags],
        document_number=entry.document_number,
        issuing_body=entry.issuing_body,
        issued_on=entry.issued_on,
        question=entry.question,
        script=entry.script,
        excludable=entry.excludable,
        legal_basis=entry.legal_basis,
        contacts=[ContactIO.model_validate({k: str(c.get(k) or "") for k in CONTACT_KEYS}) for c in entry.contacts],
        duty_phone=entry.duty_phone,
        wecom_group=entry.wecom_group,
        created_at=entry.created_at,
        published_at=entry.published_at,
        fields={f.name: f.label for f in library_spec(entry.library).fields},
    )


def hit_out(hit: SearchHit) -> HitOut:
    return HitOut(
        entry=summary_out(hit.entry), score=hit.score, title_html=hit.title_html, snippet_html=hit.snippet_html
    )


def similar_out(similar: SimilarTicket) -> SimilarTicketOut:
    ticket = similar.ticket
    return SimilarTicketOut(
        number=ticket.number,
        title=ticket.title,
        received_at=ticket.received_at,
        closed_at=ticket.closed_at,
        score=similar.score,
        reply_text=similar.reply_text,
    )


class EntryAttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: ActorOut | None
    uploaded_at: datetime


def entry_attachment_out(attachment: EntryAttachment) -> EntryAttachmentOut:
    return EntryAttachmentOut(
        id=attachment.pk,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        uploaded_by=actor_out(attachment.uploaded_by),
        uploaded_at=attachment.uploaded_at,
    )
