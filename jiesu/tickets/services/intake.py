from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from jiesu.core.fields import SealedCharField
from jiesu.geo.services import address_resolve
from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import AssessmentScope, Channel, EventKind, Kind, Stage, TicketStatus, Urgency
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Category, NumberSequence, Ticket
from jiesu.tickets.services.deadlines import deadline_changes
from jiesu.tickets.services.transitions import ticket_record_creation, ticket_transition
from jiesu.tickets.signals import ticket_received


@dataclass
class TicketDraft:
    """What intake knows about a new appeal; validated by `ticket_create`."""

    title: str
    content: str = ""
    channel: str = Channel.PHONE
    kind: str = Kind.OTHER
    urgency: str = Urgency.NORMAL
    is_complex: bool = False
    received_at: datetime | None = None
    requester_name: str = ""
    requester_phone: str = ""
    requester_id_number: str = ""
    requester_confidential: bool = False
    address: str = ""
    district: Unit | None = None
    township: Unit | None = None
    community: Unit | None = None
    category: Category | None = None
    source: str = ""
    external_number: str = ""
    is_sensitive: bool = False
    is_monthly_topic: bool = False
    assessment_scope: str = AssessmentScope.FULL
    extra: dict[str, Any] = field(default_factory=dict)


def next_ticket_number(received_at: datetime) -> str:
    """Day-based numbers (20261121000042); the counter row is claimed with an UPDATE."""
    key = timezone.localtime(received_at).strftime("%Y%m%d")
    updated = NumberSequence.objects.filter(key=key).update(value=F("value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(key=key, value=1)
        except IntegrityError:
            NumberSequence.objects.filter(key=key).update(value=F("value") + 1)
    value = NumberSequence.objects.filter(key=key).values_list("value", flat=True).get()
    return f"{key}{value:06d}"


def reserve_ticket_number_blocks(counts: dict[str, int]) -> dict[str, list[str]]:
    """Consecutive numbers for several days at once (day key YYYYMMDD → how many), for batch imports.

    A few statements whatever the number of days: create the missing counters, add to all of
    them with one conditional UPDATE (per 250 days), read them back. Call it inside the
    transaction that inserts the tickets, so a rolled-back batch leaves no gap and concurrent
    callers queue on the counter rows.
    """
    wanted = {key: n for key, n in counts.items() if n > 0}
    if not wanted:
        return {}
    NumberSequence.objects.bulk_create([NumberSequence(key=key, value=0) for key in wanted], ignore_conflicts=True)
    quote = connection.ops.quote_name
    table, value, key_column = quote(NumberSequence._meta.db_table), quote("value"), quote("key")
    items = list(wanted.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 250):  # 3 parameters per day, under SQLite's 999
            chunk = items[start : start + 250]
            cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {value} = {value} + CASE {key_column} {cases} END "  # noqa: S608 - names from the model
                f"WHERE {key_column} IN ({marks})",
                [p for key, n in chunk for p in (key, n)] + [key for key, _ in chunk],
            )
    last = dict(NumberSequence.objects.filter(key__in=wanted).values_list("key", "value"))
    return {key: [f"{key}{v:06d}" for v in range(last[key] - n + 1, last[key] + 1)] for key, n in wanted.items()}


def reserve_ticket_numbers(day_key: str, n: int) -> list[str]:
    """`n` consecutive numbers of day `day_key` (YYYYMMDD), claimed with one UPDATE."""
    return reserve_ticket_number_blocks({day_key: n}).get(day_key, [])


def _validate(draft: TicketDraft) -> list[str]:
    errors = []
    if not draft.title.strip():
        errors.append("标题不能为空")
    if len(draft.title) > 200:
        errors.append("标题不能超过200个字")
    # Sealed columns are unbounded text in the database, so the plaintext limits are checked here.
    for name in ("requester_name", "requester_phone", "requester_id_number"):
        field = Ticket._meta.get_field(name)
        assert isinstance(field, SealedCharField)
        if field.max_length and len(getattr(draft, name).strip()) > field.max_length:
            errors.append(f"{field.verbose_name}不能超过{field.max_length}个字")
    for value, choices, label in (
        (draft.channel, Channel, "受理渠道"),
        (draft.kind, Kind, "诉求类型"),
        (draft.urgency, Urgency, "紧急程度"),
        (draft.assessment_scope, AssessmentScope, "考核范围"),
    ):
        if value not in choices.values:
            errors.append(f"{label}取值无效：{value}")
    if draft.external_number and not draft.source:
        errors.append("有外部工单编号时必须填写来源平台")
    if draft.received_at is not None and timezone.is_naive(draft.received_at):
        errors.append("受理时间必须带时区")
    return errors


@transaction.atomic
def ticket_create(*, draft: TicketDraft, actor: User | None) -> Ticket:
    errors = _validate(draft)
    if errors:
        raise TicketInvalid("；".join(errors), errors=errors)
    if (
        draft.external_number
        and Ticket.objects.filter(source=draft.source, external_number=draft.external_number).exists()
    ):
        raise TicketInvalid(f"来源「{draft.source}」的工单 {draft.external_number} 已存在")
    received_at = draft.received_at or timezone.now()
    if draft.district is None and draft.address:
        resolved = address_resolve(draft.address)
        draft.district, draft.township, draft.community = resolved.district, resolved.township, resolved.community
    ticket = Ticket(
        number=next_ticket_number(received_at),
        source=draft.source,
        external_number=draft.external_number,
        channel=draft.channel,
        received_at=received_at,
        requester_name=draft.requester_name.strip(),
        requester_phone=draft.requester_phone.strip(),
        requester_id_number=draft.requester_id_number.strip(),
        requester_confidential=draft.requester_confidential,
        kind=draft.kind,
        urgency=draft.urgency,
        is_complex=draft.is_complex,
        title=draft.title.strip(),
        content=draft.content,
        address=draft.address,
        district=draft.district,
        township=draft.township,
        community=draft.community,
        category=draft.category,
        is_sensitive=draft.is_sensitive,
        is_monthly_topic=draft.is_monthly_topic,
        assessment_scope=draft.assessment_scope,
        created_by=actor,
    )
    for name, value in deadline_changes(
        ticket, {Stage.ACKNOWLEDGE: received_at, Stage.FIRST_CONTACT: received_at}
    ).items():
        setattr(ticket, name, value)
    ticket.save(force_insert=True)
    ticket_record_creation(ticket=ticket, actor=actor, occurred_at=received_at)
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: ticket_received.send_robust(sender=Ticket, ticket_id=ticket.pk, actor_id=actor_id))
    return ticket


@transaction.atomic
def ticket_merge(*, ticket: Ticket, master: Ticket, actor: User | None, reason: str = "") -> Ticket:
    """Handle `ticket` as a duplicate of `master` (并单)."""
    if master.pk == ticket.pk:
        raise TicketInvalid("不能将工单并入自身")
    if master.status == TicketStatus.MERGED:
        raise TicketInvalid(f"主工单 {master.number} 本身已被并单，请选择其主工单")
    ticket_transition(
        ticket=ticket,
        event=EventKind.MERGED,
        actor=actor,
        reason=reason,
        payload={"master_id": master.pk, "master_number": master.number},
        changes={"merged_into": master},
    )
    return ticket
