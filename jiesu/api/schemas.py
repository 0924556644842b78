"""Request and response schemas of the JSON API (pydantic, through django-ninja)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field

from jiesu.orgs.choices import UnitKind
from jiesu.reminders.choices import ReminderStage
from jiesu.tickets.choices import (
    AssessmentScope,
    AttachmentKind,
    CallbackOutcome,
    Channel,
    EventKind,
    Kind,
    Satisfaction,
    SectorAnswer,
    TicketStatus,
    Urgency,
)

# Bounds keep generated or hostile values inside what both SQLite and PostgreSQL accept.
MAX_ID = 2**63 - 1
MAX_OFFSET = 2**31 - 1


# Strings the database can store: bounded, and without NUL, which PostgreSQL refuses in text.
# (pydantic already refuses lone surrogates.) A pattern, so that the OpenAPI document says it too.
NO_NUL = r"^[^\x00]*$"
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Text32 = Annotated[str, Field(max_length=32, pattern=NO_NUL)]
Text64 = Annotated[str, Field(max_length=64, pattern=NO_NUL)]
Text100 = Annotated[str, Field(max_length=100, pattern=NO_NUL)]
Text300 = Annotated[str, Field(max_length=300, pattern=NO_NUL)]
Text5000 = Annotated[str, Field(max_length=5000, pattern=NO_NUL)]
LongText = Annotated[str, Field(max_length=20000, pattern=NO_NUL)]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _json_integer(value: Any) -> Any:
    # pydantic's lax mode reads true as 1 and "2" as 2; JSON Schema's integer is a number with no
    # fraction (2.0 is one, and pydantic refuses 2.5 itself), never a boolean or a string.
    if isinstance(value, bool | str):
        raise ValueError("应为整数")
    return value


# An id in a JSON body (path and query ids arrive as text and keep `Id`).
BodyId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_integer)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
# A unit or a category given by its id (a JSON integer) or its code (a JSON string).
Ref = Id | Code


def _not_a_number(value: Any) -> Any:
    # pydantic would read a JSON number as seconds since 1970; the API documents a date-time string.
    if isinstance(value, int | float):
        raise ValueError("时间应为 ISO 8601 格式的字符串，如 2026-11-01T08:00:00+08:00")
    return value


# A time filter: a query-string value or a JSON string, never a number.
Moment = Annotated[datetime, BeforeValidator(_not_a_number)]


class ErrorOut(Schema):
    code: str = Field(description="稳定的错误代码，如 transition_not_allowed、invalid_input")
    message: str = Field(description="中文错误说明")
    details: dict[str, Any] = Field(description="附加信息；输入校验错误时 errors 为逐字段的错误列表")


class HealthOut(Schema):
    status: Literal["ok", "error"]
    database: Literal["ok", "error"]


class UnitRef(Schema):
    id: int
    code: str
    name: str
    kind: UnitKind


class UnitOut(UnitRef):
    level: int
    parent_id: int | None
    is_active: bool


class UnitListOut(Schema):
    count: int
    items: list[UnitOut]


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    full_name: str


class CategoryOut(CategoryRef):
    level: int
    parent_id: int | None
    is_active: bool


class CategoryListOut(Schema):
    count: int
    items: list[CategoryOut]


class TicketCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title
    content: LongText = ""
    channel: Channel = Channel.PHONE
    kind: Kind = Kind.OTHER
    urgency: Urgency = Urgency.NORMAL
    is_complex: bool = False
    received_at: AwareDatetime | None = Field(None, description="受理时间，ISO-8601 且必须带时区；缺省为当前时间")
    requester_name: Text64 = ""
    requester_phone: Text32 = ""
    requester_id_number: Text32 = ""
    requester_confidential: bool = False
    address: Text300 = ""
    district: Ref | None = Field(None, description="所属区：单位 id（整数）或编码（字符串）")
    township: Ref | None = Field(None, description="所属街乡镇：单位 id 或编码")
    community: Ref | None = Field(None, description="所属社区村：单位 id 或编码")
    category: Ref | None = Field(None, description="问题分类：id 或编码")
    source: Text64 = ""
    external_number: Text64 = ""
    is_sensitive: bool = False
    is_monthly_topic: bool = False


class TicketFilterIn(Schema):
    status: list[TicketStatus] | None = Field(None, description="状态；可重复给出，任一即可")
    channel: Channel | None = None
    kind: Kind | None = None
    urgency: Urgency | None = None
    district: Code | None = Field(None, description="所属区：编码或 id")
    township: Code | None = Field(None, description="所属街乡镇：编码或 id")
    community: Code | None = Field(None, description="所属社区村：编码或 id")
    lead_unit: Code | None = Field(None, description="主办单位（含其下级单位）：编码或 id")
    category: Code | None = Field(None, description="问题分类（含其下级分类）：编码或 id")
    received_from: Moment | None = Field(None, description="受理时间起（含）；不带时区时按北京时间")
    received_to: Moment | None = Field(None, description="受理时间止（不含）；不带时区时按北京时间")
    closed_from: Moment | None = Field(None, description="办结时间起（含）")
    closed_to: Moment | None = Field(None, description="办结时间止（不含）")
    deadline_from: Moment | None = Field(None, description="反馈时限起（含）")
    deadline_to: Moment | None = Field(None, description="反馈时限止（不含）")
    q: Text100 | None = Field(
        None, description="标题或诉求内容中的关键词（两个字的词也能查到）、工单编号，或诉求人的完整联系电话"
    )
    overdue: bool | None = Field(None, description="true：已超过反馈时限仍未反馈；false：未超期")
    is_repeat: bool | None = Field(None, description="是否重复诉求")
    tags: list[Literal["repeat", "sensitive", "monthly_topic", "complex"]] | None = Field(
        None, description="标签：重复诉求 / 敏感 / 每月一题 / 复杂疑难；可重复给出，含任一即可"
    )
    callback: Literal["none", "resolved", "unresolved", "satisfied", "fairly_satisfied", "dissatisfied"] | None = Field(
        None, description="回访结果：未回访 / 已解决 / 未解决 / 满意 / 基本满意 / 不满意"
    )
    assessment_scope: AssessmentScope | None = Field(None, description="考核范围")
    ordering: Literal[
        "received_at",
        "-received_at",
        "reply_due_at",
        "-reply_due_at",
        "closed_at",
        "-closed_at",
        "updated_at",
        "-updated_at",
        "number",
        "-number",
        "status",
        "-status",
        "urgency",
        "-urgency",
    ] = "-received_at"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class TicketOut(Schema):
    number: str
    source: str
    external_number: str
    channel: Channel
    received_at: datetime
    kind: Kind
    urgency: Urgency
    is_complex: bool
    title: str
    status: TicketStatus
    status_label: str
    version: int
    requester_name: str = Field(description="已脱敏，如 张*")
    requester_phone: str = Field(description="已脱敏，如 138****1234；诉求人要求保密时承办单位看到“（诉求人要求保密）”")
    requester_confidential: bool
    address: str
    district: UnitRef | None
    township: UnitRef | None
    community: UnitRef | None
    category: CategoryRef | None
    lead_unit: UnitRef | None
    reply_due_at: datetime | None
    is_overdue: bool
    created_at: datetime
    updated_at: datetime


class DeadlinesOut(Schema):
    acknowledge_due_at: datetime | None
    first_contact_due_at: datetime | None
    dispatch_due_at: datetime | None
    unit_acknowledge_due_at: datetime | None
    reply_due_at: datetime | None
    callback_due_at: datetime | None
    sector_confirmation_due_at: datetime | None


class FactsOut(Schema):
    acknowledged_at: datetime | None
    first_contacted_at: datetime | None
    dispatched_at: datetime | None
    unit_acknowledged_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply_text: str
    is_direct_answer: bool
    return_count: int
    rework_count: int
    suspended_at: datetime | None
    extension_pending: bool
    extension_requested_until: datetime | None
    exclusion_pending: bool
    sector_confirmation_pending: bool
    sector_answer: str
    callback_at: datetime | None
    callback_valid: bool | None
    callback_contacted: bool | None
    callback_resolved: bool | None
    callback_satisfaction: str
    assessment_scope: AssessmentScope
    is_repeat: bool
    is_sensitive: bool
    is_monthly_topic: bool


class TicketDetailOut(TicketOut):
    content: str
    requester_id_number: str = Field(
        description="已脱敏，如 110105********1234；诉求人要求保密时承办单位看到“（诉求人要求保密）”"
    )
    assisting_units: list[UnitRef]
    merged_into: str | None = Field(description="并入的主工单编号")
    deadlines: DeadlinesOut
    facts: FactsOut
    allowed_actions: list[EventKind] = Field(description="当前用户现在可以尝试的操作")


class TicketListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[TicketOut]


class DueFilterIn(Schema):
    kind: Literal["soon", "overdue"] = Field(description="soon：即将到期；overdue：已超期（任一环节）")
    within_hours: int = Field(48, ge=1, le=24 * 90, description="即将到期的范围（小时），仅 kind=soon 时使用")
    unit: Id | None = Field(None, description="只看主办单位为该单位（含下级单位）的工单：单位 id")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class DueTicketOut(TicketOut):
    due_stage: ReminderStage = Field(description="到期或超期的环节（多个环节时取流程中最早的一个）")
    due_stage_label: str
    due_at: datetime = Field(description="该环节的时限")


class DueTicketListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DueTicketOut]


class ActorOut(Schema):
    id: int
    username: str
    display_name: str


class EventOut(Schema):
    id: int
    kind: EventKind
    kind_label: str
    from_status: TicketStatus | Literal[""]
    to_status: TicketStatus | Literal[""]
    actor: ActorOut | None
    actor_unit: UnitRef | None
    occurred_at: datetime
    recorded_at: datetime
    reason: str
    payload: dict[str, Any]


class ActionIn(Schema):
    """The body of any action; each action reads the fields it needs (see ticket_perform)."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        None, ge=1, le=MAX_OFFSET, description="乐观锁：若给出且与工单当前版本不同，返回 409 stale_ticket"
    )
    reason: Text5000 = Field("", description="原因、说明或备注")
    text: LongText = Field("", description="答复或办理结果")
    lead_unit_id: BodyId | None = None
    assisting_unit_ids: list[BodyId] = Field(default_factory=list, max_length=50)
    category_id: BodyId | None = None
    kind: Kind | None = None
    urgency: Urgency | None = None
    is_complex: bool | None = None
    until: AwareDatetime | None = Field(None, description="延期申请的新时限（带时区）")
    approve: bool | None = None
    decision: Text32 = ""
    reached: bool = True
    contacted: bool | None = None
    resolved: bool | None = None
    satisfaction: Satisfaction | None = None
    is_valid: bool = True
    outcome: CallbackOutcome | None = Field(None, description="回访拨打结果（callback_attempted）")
    master_number: Text32 = ""
    reason_code: Text64 = ""
    scope: AssessmentScope | None = None
    answer: SectorAnswer | None = None
    elements: list[Text64] = Field(
        default_factory=list, max_length=20, description="反馈/自办时勾选的反馈要素编码（六要素，见现行要素方案）"
    )


class TicketStateOut(Schema):
    number: str
    status: TicketStatus
    status_label: str
    version: int


class ActionOut(Schema):
    event: EventOut
    ticket: TicketStateOut


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    kind: AttachmentKind
    uploaded_by: ActorOut | None
    uploaded_at: datetime


RevealField = Literal["requester_name", "requester_phone", "requester_id_number"]


class RevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fields: list[RevealField] = Field(min_length=1, max_length=3, description="要查看完整内容的字段")
    reason: Text300 = Field("", description="查看原因（必填，至少 2 个字），写入审计日志")


class RevealOut(Schema):
    """Only the requested fields are present; every reveal is audited."""

    requester_name: str | None = None
    requester_phone: str | None = None
    requester_id_number: str | None = None
