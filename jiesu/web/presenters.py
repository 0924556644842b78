"""Turn tickets and events into what the detail page shows: stage deadlines and timeline lines.

Events store ids and values, never rendered text; the Chinese wording is made here, at display time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import (
    AssessmentScope,
    Channel,
    EventKind,
    Kind,
    Satisfaction,
    SectorAnswer,
    Stage,
    TicketStatus,
    Urgency,
)
from jiesu.tickets.models import Attachment, Category, ReplyElement, ReplyElementScheme, Ticket, TicketEvent
from jiesu.tickets.selectors_exclusions import exclusion_reason_labels
from jiesu.tickets.services.pii import requester_may_reveal, requester_view


def format_duration(seconds: int) -> str:
    """Coarse Chinese duration: 2天3小时, 5小时12分钟, 8分钟."""
    minutes = max(seconds, 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


# How close a running deadline is: (class suffix, word shown beside the countdown); the word
# makes the urgency readable without colour. Thresholds in seconds left.
URGENCY_SOON_SECONDS = 24 * 3600
URGENCY_NEAR_SECONDS = 4 * 3600
URGENCY_WORDS = {"ok": "充裕", "soon": "临近", "near": "紧迫", "overdue": "已超期", "paused": "已挂起"}


def deadline_urgency(due: datetime, now: datetime) -> str:
    """ok (> 24 h left) · soon (≤ 24 h) · near (≤ 4 h) · overdue; the same thresholds as countdown.js."""
    left = (due - now).total_seconds()
    if left < 0:
        return "overdue"
    if left <= URGENCY_NEAR_SECONDS:
        return "near"
    return "soon" if left <= URGENCY_SOON_SECONDS else "ok"


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    due_at: datetime | None
    done_at: datetime | None
    state: str  # open | overdue | done | done_late
    urgency: str = ""  # for running deadlines: ok | soon | near | overdue | paused

    @property
    def is_red(self) -> bool:
        return self.state in {"overdue", "done_late"}

    @property
    def urgency_word(self) -> str:
        return URGENCY_WORDS.get(self.urgency, "")

    @property
    def due_iso(self) -> str:
        """The deadline for countdown.js: ISO 8601 with offset, whole seconds (Date.parse-safe)."""
        return timezone.localtime(self.due_at).isoformat(timespec="seconds") if self.due_at else ""

    @property
    def is_running(self) -> bool:
        """Counting down in the browser: open, with a deadline, and the clock not stopped."""
        return self.due_at is not None and self.state in {"open", "overdue"} and self.urgency != "paused"


# (label, deadline field, field that records the stage as done)
STAGES = (
    ("签收", "acknowledge_due_at", "acknowledged_at"),
    ("首次联系诉求人", "first_contact_due_at", "first_contacted_at"),
    ("派单", "dispatch_due_at", "dispatched_at"),
    ("承办单位签收", "unit_acknowledge_due_at", "unit_acknowledged_at"),
    ("反馈办理结果", "reply_due_at", "replied_at"),
    ("回访", "callback_due_at", "callback_at"),
)


def _state(due: datetime | None, done: datetime | None, now: datetime) -> str:
    if done is not None:
        return "done_late" if due is not None and done > due else "done"
    return "overdue" if due is not None and due < now else "open"


def _urgency(due: datetime | None, state: str, now: datetime, suspended: bool) -> str:
    if due is None or state not in {"open", "overdue"}:
        return ""
    return "paused" if suspended else deadline_urgency(due, now)


def ticket_deadlines(ticket: Ticket) -> list[DeadlineRow]:
    """One row per stage that has a deadline or has happened, in lifecycle order; a suspended
    ticket's running deadlines are marked paused (its clock is stopped, see services.deadlines)."""
    now = timezone.now()
    suspended = ticket.suspended_at is not None
    rows = []
    for label, due_field, done_field in STAGES:
        due, done = getattr(ticket, due_field), getattr(ticket, done_field)
        if due is None and done is None:
            continue
        state = _state(due, done, now)
        rows.append(DeadlineRow(label, due, done, state, _urgency(due, state, now, suspended)))
    if ticket.sector_pushed_at is not None:
        due = ticket.sector_confirmation_due_at
        state = "open" if ticket.sector_confirmation_pending else "done"
        if state == "open" and due is not None and due < now:
            state = "overdue"
        # The sector window is calendar time: suspension does not stop it.
        rows.append(DeadlineRow("行业工单确认", due, None, state, _urgency(due, state, now, False)))
    return rows


@dataclass(frozen=True)
class TimelineRow:
    event: TicketEvent
    label: str
    from_label: str
    to_label: str
    summary: str


def _yes_no(value: Any) -> str:
    return "是" if value else "否"


def _moment(value: Any) -> str:
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if isinstance(parsed, datetime):
        return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _deadline_moves(value: Any) -> str:
    """{"reply": {"from": …, "to": …}} → 反馈 2026-02-13 17:00 → 2026-02-16 10:00."""
    if not isinstance(value, dict):
        return str(value)
    parts = []
    for stage, move in value.items():
        label = Stage(stage).label if stage in Stage.values else stage
        before, after = (move.get(k) for k in ("from", "to")) if isinstance(move, dict) else (None, None)
        parts.append(f"{label} {_moment(before) if before else '无'} → {_moment(after) if after else '无'}")
    return "，".join(parts) or "无"


def _choice(choices: Any) -> Any:
    return lambda v: choices(v).label if v in choices.values else str(v)


class _Names:
    """Unit and category names for every id mentioned in a timeline, loaded in two queries."""

    UNIT_KEYS = ("lead_unit_id", "from_unit_id", "unit_id")

    def __init__(self, events: Iterable[TicketEvent]) -> None:
        unit_ids: set[int] = set()
        category_ids: set[int] = set()
        for event in events:
            p = event.payload
            unit_ids.update(p[k] for k in self.UNIT_KEYS if isinstance(p.get(k), int))
            unit_ids.update(i for i in p.get("assisting_unit_ids") or [] if isinstance(i, int))
            if isinstance(p.get("category"), int):
                category_ids.add(p["category"])
        self.units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        schemes = {e.payload["element_scheme"] for e in events if e.payload.get("element_scheme")}
        elements = ReplyElement.objects.filter(scheme__code__in=schemes) if schemes else ReplyElement.objects.none()
        self.elements = dict(elements.values_list("code", "label"))
        self.categories = {c.pk: str(c) for c in Category.objects.filter(pk__in=category_ids)}
        # The reason list is read only for a timeline that mentions a reason (one query).
        self.reasons = exclusion_reason_labels() if any("reason_code" in e.payload for e in events) else {}

    def unit(self, pk: Any) -> str:
        return self.units.get(pk, f"#{pk}") if pk is not None else "无"


# Internal references that mean nothing to a reader of the timeline.
HIDDEN_KEYS = frozenset({"master_id", "request_event_id", "element_scheme"})


def _formatters(names: _Names) -> dict[str, tuple[str, Any]]:
    return {
        "channel": ("受理渠道", _choice(Channel)),
        "source": ("来源平台", str),
        "external_number": ("外部工单编号", str),
        "imported": ("台账导入", _yes_no),
        "lead_unit_id": ("主办单位", names.unit),
        "assisting_unit_ids": ("协办单位", lambda v: "、".join(names.unit(i) for i in v) or "无"),
        "from_unit_id": ("原承办单位", names.unit),
        "unit_id": ("单位", names.unit),
        "category": ("问题分类", lambda v: names.categories.get(v, f"#{v}")),
        "kind": ("诉求类型", _choice(Kind)),
        "urgency": ("紧急程度", _choice(Urgency)),
        "is_complex": ("复杂疑难", _yes_no),
        "reached": ("联系成功", _yes_no),
        "until": ("申请时限至", _moment),
        "current_due": ("原时限", lambda v: _moment(v) if v else "无"),
        "from": ("原时限", lambda v: _moment(v) if v else "无"),
        "to": ("新时限", lambda v: _moment(v) if v else "无"),
        "due_at": ("确认时限", lambda v: _moment(v) if v else "无"),
        "on_time": ("按时反馈", _yes_no),
        "is_valid": ("有效回访", _yes_no),
        "contacted": ("是否联系", _yes_no),
        "resolved": ("是否解决", _yes_no),
        "satisfaction": ("满意度", _choice(Satisfaction)),
        "master_number": ("主工单", str),
        "reason_code": ("申请原因", lambda v: names.reasons.get(v, v)),
        "scope": ("考核范围", _choice(AssessmentScope)),
        "answer": ("确认结果", _choice(SectorAnswer)),
        "automatic": ("自动确认", _yes_no),
        "paused_seconds": ("挂起时长", lambda v: format_duration(int(v))),
        "paused_working_minutes": ("其中工作时间", lambda v: format_duration(int(v) * 60)),
        "deadlines": ("时限调整", _deadline_moves),
        "elements": ("已写明的反馈要素", lambda v: "、".join(names.elements.get(c, c) for c in v) or "无"),
    }


def _summary(payload: dict[str, Any], formatters: dict[str, tuple[str, Any]]) -> str:
    parts = []
    for key, value in payload.items():
        if key in HIDDEN_KEYS or value == "" or (value is None and key != "lead_unit_id"):
            continue
        if key == "deadlines" and (not value or "to" in payload):
            continue  # nothing moved, or an extension that already says from/to
        label, render = formatters.get(key, (key, str))
        parts.append(f"{label}：{render(value)}")
    return "；".join(parts)


def _status_label(status: str) -> str:
    return TicketStatus(status).label if status in TicketStatus.values else status


def timeline_rows(events: Iterable[TicketEvent]) -> list[TimelineRow]:
    events = list(events)
    formatters = _formatters(_Names(events))
    return [
        TimelineRow(
            event=e,
            label=EventKind(e.kind).label if e.kind in EventKind.values else e.kind,
            from_label=_status_label(e.from_status) if e.from_status else "",
            to_label=_status_label(e.to_status) if e.to_status else "",
            summary=_summary(e.payload or {}, formatters),
        )
        for e in events
    ]


def requester_context(
    *,
    ticket: Ticket,
    viewer: User,
    revealed: dict[str, str] | None = None,
    error: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """What web/tickets/_requester.html needs: masked (or revealed) values and the reveal form."""
    return {
        "ticket": ticket,
        "requester": requester_view(ticket=ticket, viewer=viewer),
        "revealed": revealed,
        "may_reveal": requester_may_reveal(ticket=ticket, viewer=viewer),
        "reveal_error": error,
        "reveal_reason": reason,
    }


# What may be displayed inline, by declared type and by file name: both must agree, so a file
# named .html or declared text/html is never served for display. SVG is absent on purpose (it
# can carry script). The type served is ours, not the uploader's.
INLINE_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}
INLINE_AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "amr": "audio/amr",
}
DECLARED_ALIASES = {
    "image/jpg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
}


def attachment_inline_type(attachment: Attachment) -> str:
    """The content type to display `attachment` inline with, or "" when it must be downloaded."""
    extension = attachment.original_name.rsplit(".", 1)[-1].lower() if "." in attachment.original_name else ""
    served = INLINE_IMAGE_TYPES.get(extension) or INLINE_AUDIO_TYPES.get(extension)
    declared = attachment.content_type.split(";")[0].strip().lower()
    declared = DECLARED_ALIASES.get(declared, declared)
    # An unknown declared type (octet-stream from some clients) is fine when the name says what it is.
    if served is None or declared not in {served, "", "application/octet-stream"}:
        return ""
    return served


def attachment_preview(attachment: Attachment) -> str:
    """How the ticket page shows a file: "image", "audio" or "" (a download link only)."""
    served = attachment_inline_type(attachment)
    if served.startswith("image/"):
        return "image"
    return "audio" if served.startswith("audio/") else ""


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    preview: str


def attachment_rows(attachments: Iterable[Attachment]) -> list[AttachmentRow]:
    return [AttachmentRow(a, attachment_preview(a)) for a in attachments]


@dataclass(frozen=True)
class ReplyClaim:
    """What the latest reply said it covers, item by item of the scheme it was checked against."""

    scheme_name: str
    items: list[tuple[str, bool, bool]]  # (label, required, ticked)


def reply_claim(ticket: Ticket) -> ReplyClaim | None:
    reply = ticket.events.filter(kind=EventKind.REPLIED).order_by("-occurred_at", "-id").first()
    if reply is None or not reply.payload.get("element_scheme"):
        return None
    scheme = (
        ReplyElementScheme.objects.filter(code=reply.payload["element_scheme"]).prefetch_related("elements").first()
    )
    if scheme is None:
        return None
    ticked = set(reply.payload.get("elements") or [])
    return ReplyClaim(scheme.name, [(e.label, e.required, e.code in ticked) for e in scheme.elements.all()])
