from django.db import models


class ReminderStage(models.TextChoices):
    """The ticket stages a reminder can watch (values as in jiesu.tickets.choices.Stage)."""

    ACKNOWLEDGE = "acknowledge", "签收"
    DISPATCH = "dispatch", "派单"
    UNIT_ACKNOWLEDGE = "unit_acknowledge", "承办单位签收"
    REPLY = "reply", "反馈"
    CALLBACK = "callback", "回访"
    SECTOR_CONFIRMATION = "sector_confirmation", "行业确认"


class RecipientRole(models.TextChoices):
    """Who a reminder step goes to. Unit roles follow the ticket's lead unit; center roles the
    users of the center (units of kind `center`)."""

    UNIT_STAFF = "unit_staff", "承办单位人员"
    UNIT_LEADER = "unit_leader", "承办单位领导"
    CENTER_SHIFT_LEAD = "center_shift_lead", "中心班长"
    SUPERVISOR = "supervisor", "督办人员（中心班长和领导）"
    CENTER_AGENT = "center_agent", "中心坐席"
    CALLBACK_AGENT = "callback_agent", "回访员"
