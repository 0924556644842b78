from django.db import models


class Stage(models.TextChoices):
    """Stages of a ticket that carry a time limit; jiesu.tickets.choices re-exports this class."""

    ACKNOWLEDGE = "acknowledge", "签收"
    FIRST_CONTACT = "first_contact", "首次联系"
    DISPATCH = "dispatch", "派单"
    UNIT_ACKNOWLEDGE = "unit_acknowledge", "承办单位签收"
    REPLY = "reply", "反馈"
    CLOSE = "close", "办结"
    CALLBACK = "callback", "回访"
    SECTOR_CONFIRMATION = "sector_confirmation", "行业确认"


class LimitUnit(models.TextChoices):
    """Units of a time limit (values of jiesu.sla.calendar.DurationUnit)."""

    WORKING_HOUR = "wh", "工作小时"
    WORKING_DAY = "wd", "工作日"
    HOUR = "h", "小时"
    DAY = "d", "自然日"
    MINUTE = "min", "分钟"


class Confidence(models.TextChoices):
    """How well a rule is sourced (the tags of docs/domain-rules.md)."""

    VERIFIED = "V", "V 已核对原文"
    SECONDARY = "V2", "V2 转载来源"
    PRACTICE = "P", "P 仅见于他人实现"
    UNKNOWN = "U", "U 未找到来源"


class AssessmentPeriodBasis(models.TextChoices):
    """Which month a ticket's sector confirmation belongs to (its assessment period)."""

    RECEIVED = "received", "受理时间所在月"
    PUSHED = "pushed", "推送时间所在月"
