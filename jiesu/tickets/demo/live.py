"""Live demo steps: recent open tickets driven through the real verb services by the demo users.

A ledger cannot express pending requests (return requested, extension pending, exclusion
pending), suspension, replies awaiting review, sent-back replies or rework after a callback, nor
brand-new appeals still at the center. These few dozen steps create them, so every demo role
finds work. They happen at the real current time (the services stamp them "now"); which tickets
get which step follows fixed plans over the newest open tickets, and the texts come from
`random.Random(seed)`, so the same database and seed give the same choices.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial
from typing import TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.demo import CHAOYANG_CODE
from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import AssessmentScope, Channel, Kind, Satisfaction, TicketStatus, Urgency
from jiesu.tickets.demo.generator import DemoSpec, LedgerRow, ledger_rows
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.services import assessment, callbacks, dispatch, handling, intake, oversight
from jiesu.tickets.services.reply_elements import reply_elements_required

S = TicketStatus
OPEN_WITH_UNIT = (S.DISPATCHED, S.HANDLING)
REPLIES = (
    "经现场核实，诉求反映情况属实，已协调相关单位处理完毕，并电话告知诉求人办理结果，诉求人表示认可。",
    "我单位接单后当日联系诉求人并到现场查看，已督促责任方限期整改，目前问题已解决。",
    "经核实，已向诉求人解释相关政策规定，并告知后续办理渠道，诉求人表示理解。",
)
# Unit-side scenarios per demo account, in the order they are tried.
UNIT_PLANS = {
    "wangjing": ("reply", "extension", "return", "acknowledge"),
    "chaoyang": ("reply", "return", "extension", "sent_back", "exclusion", "reply", "acknowledge", "reply"),
    "shejiu": ("reply", "return", "extension", "acknowledge"),
}
CENTER_PLAN = ("urge", "suspend", "redispatch", "supervise", "urge", "suspend", "redispatch", "urge", "supervise")
CALLBACK_PLAN = (
    (True, Satisfaction.SATISFIED),
    (True, Satisfaction.SATISFIED),
    (True, Satisfaction.FAIRLY_SATISFIED),
    (True, Satisfaction.DISSATISFIED),
    (False, Satisfaction.FAIRLY_SATISFIED),
)
NEW_APPEALS = 24
WANGJING_NAME = "望京街道"
T = TypeVar("T")


@dataclass
class LiveResult:
    steps: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class _Run:
    rng: random.Random
    users: dict[str, User]
    result: LiveResult
    used: set[int] = field(default_factory=set)

    def do(self, label: str, ticket: Ticket | None, step: Callable[[], T]) -> T | None:
        """Run one step; a refusal is recorded, not raised, so one odd ticket cannot stop the demo."""
        try:
            done = step()
        except DomainError as exc:
            number = ticket.number if ticket is not None else "-"
            self.result.failures.append(f"{label} {number}：{exc.message}")
            return None
        self.result.steps += 1
        return done

    def pick(self, tickets: QuerySet[Ticket], status: str | None = None) -> Ticket | None:
        for ticket in tickets.exclude(pk__in=self.used)[:50]:
            if status is None or ticket.status == status:
                self.used.add(ticket.pk)
                return ticket
        return None


def _open_within(unit: Unit) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(status__in=OPEN_WITH_UNIT, lead_unit__path__startswith=unit.path)
        .filter(extension_pending=False, exclusion_pending=False)
        .select_related("lead_unit", "category")
        .order_by("-received_at", "-id")
    )


def _reply(run: _Run, ticket: Ticket, user: User, *, send_back: bool = False) -> None:
    text = run.rng.choice(REPLIES)
    elements = reply_elements_required(timezone.now())  # the demo's replies cover every required element
    reply = partial(handling.ticket_reply, ticket=ticket, actor=user, text=text, elements=elements)
    if run.do("反馈", ticket, reply) and send_back:
        reason = "答复内容缺少办理过程和结果，请补充后重新反馈"
        agent = run.users["agent"]
        run.do(
            "审核退回", ticket, lambda: handling.ticket_review(ticket=ticket, actor=agent, accept=False, reason=reason)
        )


def _return(run: _Run, ticket: Ticket, user: User) -> None:
    reason = "经核实，该诉求涉及的设施产权属于市级部门，不属于本单位职责范围，申请退单"
    run.do("申请退单", ticket, lambda: dispatch.ticket_return_request(ticket=ticket, actor=user, reason=reason))


def _extension(run: _Run, ticket: Ticket, user: User) -> None:
    until = (ticket.reply_due_at or timezone.now()) + timedelta(days=7)
    reason = "需协调产权单位和施工单位共同处理，申请延期7天"
    run.do(
        "申请延期",
        ticket,
        lambda: handling.ticket_extension_request(ticket=ticket, actor=user, until=until, reason=reason),
    )


def _exclusion(run: _Run, ticket: Ticket, user: User) -> None:
    reason = "诉求人就同一事项多次来电，已依法答复，无新情况新理由"
    run.do(
        "申请剔除",
        ticket,
        lambda: assessment.ticket_exclusion_request(
            ticket=ticket, actor=user, reason_code="repeat", scope=AssessmentScope.EXCLUDED, reason=reason
        ),
    )


UnitScenario = Callable[[_Run, Ticket, User], None]
UNIT_SCENARIOS: dict[str, UnitScenario] = {
    "reply": _reply,
    "sent_back": lambda run, ticket, user: _reply(run, ticket, user, send_back=True),
    "return": _return,
    "extension": _extension,
    "exclusion": _exclusion,
    "acknowledge": lambda run, ticket, user: None,
}
# Scenarios that a unit may start before acknowledging the ticket.
BEFORE_ACKNOWLEDGING = frozenset({"return", "extension"})


def _unit_step(run: _Run, scenario: str, user: User) -> None:
    tickets = _open_within(user.unit) if user.unit is not None else Ticket.objects.none()
    ticket = run.pick(tickets, S.DISPATCHED if scenario == "acknowledge" else None)
    if ticket is None:
        return
    needs_acknowledging = ticket.status == S.DISPATCHED and scenario not in BEFORE_ACKNOWLEDGING
    if (
        needs_acknowledging
        and run.do("签收", ticket, lambda: dispatch.ticket_unit_acknowledge(ticket=ticket, actor=user)) is None
    ):
        return
    UNIT_SCENARIOS[scenario](run, ticket, user)


def _redispatch_target(ticket: Ticket) -> Unit | None:
    """A township's ticket goes up to its district; a district's down to the township of the address."""
    lead = ticket.lead_unit
    if lead is None:
        return None
    if lead.parent is not None and lead.kind == UnitKind.TOWNSHIP:
        return lead.parent
    return ticket.township if ticket.township is not None and ticket.township.pk != lead.pk else None


def _center_step(run: _Run, scenario: str) -> None:
    demo_paths = [u.unit.path for u in run.users.values() if u.unit is not None and u.unit.kind != UnitKind.CENTER]
    tickets = Ticket.objects.filter(status__in=OPEN_WITH_UNIT).select_related("lead_unit__parent", "township")
    for path in demo_paths:
        tickets = tickets.exclude(lead_unit__path__startswith=path)
    ticket = run.pick(tickets.order_by("-received_at", "-id"))
    if ticket is None:
        return
    agent, lead, leader = run.users["agent"], run.users["lead"], run.users["leader"]
    if scenario == "urge":
        note = "请尽快联系诉求人并反馈办理进展"
        run.do("催办", ticket, lambda: oversight.ticket_urge(ticket=ticket, actor=agent, note=note))
    elif scenario == "supervise":
        reason = "诉求人多次来电反映，请主要负责同志督办"
        run.do("督办", ticket, lambda: oversight.ticket_supervise(ticket=ticket, actor=leader, reason=reason))
    elif scenario == "suspend":
        reason = "诉求人外出，约定返京后上门核实"
        run.do("挂起", ticket, lambda: handling.ticket_suspend(ticket=ticket, actor=lead, reason=reason))
    elif scenario == "redispatch":
        target = _redispatch_target(ticket)
        if target is not None:
            reason = (
                "经核实涉及多个职能部门，改派统筹办理"
                if target.kind == UnitKind.DISTRICT
                else "经核实属地明确，改派街乡镇办理"
            )
            run.do(
                "改派",
                ticket,
                lambda: dispatch.ticket_redispatch(ticket=ticket, actor=agent, lead_unit=target, reason=reason),
            )


def _decisions(run: _Run) -> None:
    """The shift lead decides one return and one extension; the others stay pending for the demo."""
    lead = run.users["lead"]
    returned = Ticket.objects.filter(status=S.RETURN_REQUESTED).order_by("-received_at", "-id").first()
    if returned is not None:
        reason = "同意退单，重新分拣"
        run.do(
            "退单审核",
            returned,
            lambda: dispatch.ticket_return_decide(ticket=returned, actor=lead, decision="triage", reason=reason),
        )
    extended = Ticket.objects.filter(extension_pending=True).order_by("-received_at", "-id").first()
    if extended is not None:
        run.do(
            "延期审批",
            extended,
            lambda: handling.ticket_extension_decide(ticket=extended, actor=lead, approve=True, reason="同意延期"),
        )


def _callbacks(run: _Run) -> None:
    """Callbacks on recently closed tickets; the dissatisfied one goes back to rework at once."""
    agent = run.users["callback"]
    closed = Ticket.objects.filter(status=S.CLOSED, callback_at__isnull=True).order_by("-closed_at", "-id")
    for resolved, satisfaction in CALLBACK_PLAN:
        ticket = run.pick(closed)
        if ticket is None:
            return
        answers = callbacks.CallbackAnswers(contacted=True, resolved=resolved, satisfaction=satisfaction)
        run.do("回访", ticket, partial(callbacks.ticket_callback, ticket=ticket, actor=agent, answers=answers))


def _unit_for(cell: str) -> Unit | None:
    """A ledger unit cell holds a code where the name is ambiguous, otherwise the name."""
    if not cell:
        return None
    return Unit.objects.filter(code=cell).first() or Unit.objects.filter(name=cell).first()


def _category_for(path: str) -> Category | None:
    category = None
    for name in (p for p in path.split("/") if p):
        category = Category.objects.filter(parent=category, name=name).first()
        if category is None:
            return None
    return category


def _draft(row: LedgerRow, minutes_ago: int) -> intake.TicketDraft:
    by_label = {c.label: c.value for c in (*Channel, *Kind, *Urgency)}
    return intake.TicketDraft(
        title=row["标题"],
        content=row["诉求内容"],
        channel=by_label[row["受理渠道"]],
        kind=by_label[row["诉求类型"]],
        urgency=by_label[row["紧急程度"]],
        received_at=timezone.now() - timedelta(minutes=minutes_ago),
        requester_name=row["诉求人"],
        requester_phone=row["联系电话"],
        address=row["发生地址"],
        district=_unit_for(row["所属区"]),
        township=_unit_for(row["所属街乡镇"]),
    )


def _fresh_rows(spec: DemoSpec) -> list[LedgerRow]:
    """Today's appeals from 朝阳 (mostly 望京), where the demo unit accounts work."""
    places = tuple(
        replace(p, weight=p.weight * 2) if p.township == WANGJING_NAME else p
        for p in spec.places
        if p.district_code == CHAOYANG_CODE
    )
    fresh = replace(spec, tickets=NEW_APPEALS, days=1, seed=spec.seed + 1, anchor=spec.anchor + timedelta(days=1))
    return list(ledger_rows(replace(fresh, places=places or spec.places)))


def _take_in(run: _Run, ticket: Ticket, row: LedgerRow, stage: int) -> None:
    """Move a new appeal to its stage: 0 received, 1 acknowledged, 2 triaged, 3 dispatched or answered."""
    agent = run.users["agent"]
    if stage < 1 or run.do("签收", ticket, lambda: dispatch.ticket_acknowledge(ticket=ticket, actor=agent)) is None:
        return
    lead = _unit_for(row["主办单位"])
    if stage >= 3 and lead is None and row["办理结果"]:
        answer = row["办理结果"]
        elements = reply_elements_required(timezone.now())
        answered = partial(handling.ticket_self_handle, ticket=ticket, actor=agent, answer=answer, elements=elements)
        run.do("直接办复", ticket, answered)
        return
    category = _category_for(row["问题分类"])
    if stage < 2 or not run.do(
        "分类审核", ticket, lambda: dispatch.ticket_triage(ticket=ticket, actor=agent, category=category)
    ):
        return
    if stage >= 3 and lead is not None:
        run.do("派单", ticket, lambda: dispatch.ticket_dispatch(ticket=ticket, actor=agent, lead_unit=lead))


def _new_appeals(run: _Run, spec: DemoSpec) -> None:
    """Today's appeals: two each still received, acknowledged and triaged; the rest dispatched
    (awaiting the units' acknowledgement) or answered at once."""
    agent = run.users["agent"]
    rows = _fresh_rows(spec)
    for index, row in enumerate(rows):
        draft = _draft(row, minutes_ago=5 + 7 * (len(rows) - index))
        ticket = run.do("受理", None, partial(intake.ticket_create, draft=draft, actor=agent))
        if ticket is not None:
            _take_in(run, ticket, row, min(index // 2, 3))


def demo_live_steps(*, seed: int, spec: DemoSpec) -> LiveResult:
    """Drive a few dozen recent tickets; does nothing when the demo accounts are missing."""
    names = ("agent", "lead", "leader", "callback", *UNIT_PLANS)
    users = {u.username: u for u in User.objects.filter(username__in=names).select_related("unit")}
    result = LiveResult()
    if len(users) != len(names):
        result.failures.append("缺少演示账号（请先执行 jiesu demo-users），未生成待办工单")
        return result
    run = _Run(rng=random.Random(seed), users=users, result=result)  # noqa: S311 - demo choices
    _new_appeals(run, spec)
    for username, plan in UNIT_PLANS.items():
        for scenario in plan:
            _unit_step(run, scenario, users[username])
    for scenario in CENTER_PLAN:
        _center_step(run, scenario)
    _decisions(run)
    _callbacks(run)
    return result
