"""The wording of reminders (Chinese, as every user-facing text)."""

from __future__ import annotations

from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiesu.reminders.choices import RecipientRole, ReminderStage
from jiesu.reminders.models import ReminderStep, minutes_text
from jiesu.tickets.choices import Urgency
from jiesu.tickets.models import Ticket

ACTIONS = {
    ReminderStage.ACKNOWLEDGE: "请尽快签收。",
    ReminderStage.DISPATCH: "请尽快完成分类审核并派单。",
    ReminderStage.UNIT_ACKNOWLEDGE: "请承办单位尽快签收。",
    ReminderStage.REPLY: "请尽快办理并反馈办理结果；确需延期的，请及时申请延期。",
    ReminderStage.CALLBACK: "请尽快完成回访。",
    ReminderStage.SECTOR_CONFIRMATION: "请尽快完成行业工单确认，逾期将自动确认为“是”。",
}


def _rounded_minutes(seconds: float) -> int:
    """Whole minutes; whole hours beyond a day (a run a few seconds late must not say 1 天 23 小时 59 分钟)."""
    minutes = round(seconds / 60)
    return round(minutes / 60) * 60 if minutes >= 1440 else minutes


def ticket_link(ticket: Ticket) -> str:
    try:
        return reverse("web:ticket_detail", kwargs={"number": ticket.number})
    except NoReverseMatch:
        return ""


def reminder_text(*, step: ReminderStep, ticket: Ticket, due: datetime, now: datetime) -> tuple[str, str]:
    """(subject, body) of one reminder. No requester data: messages leave the system by SMS,
    e-mail and WeCom; sensitive or confidential tickets do not even show their title."""
    stage = ReminderStage(step.stage)
    left = _rounded_minutes((due - now).total_seconds())
    if left > 0:
        tag, state = "【到期提醒】", f"{stage.label}时限还剩 {minutes_text(left)}"
    elif left == 0:
        tag, state = "【到期提醒】", f"{stage.label}时限已到"
    else:
        tag = "【超期督办】" if step.recipient_role == RecipientRole.SUPERVISOR else "【超期提醒】"
        state = f"{stage.label}已超期 {minutes_text(-left)}"
    title = "（敏感工单，请登录系统查看）" if ticket.is_sensitive or ticket.requester_confidential else ticket.title
    lines = [f"工单：{ticket.number} {title}"]
    if ticket.lead_unit is not None:
        lines.append(f"主办单位：{ticket.lead_unit.name}")
    lines.append(f"{stage.label}时限：{timezone.localtime(due):%Y-%m-%d %H:%M}")
    if ticket.urgency == Urgency.URGENT:
        lines.append("紧急程度：紧急")
    lines.append(ACTIONS[stage])
    return f"{tag}工单 {ticket.number} {state}", "\n".join(lines)
