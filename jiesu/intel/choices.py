from django.db import models


class SuggestedField(models.TextChoices):
    """What the ticket suggester proposes (each level of the category tree is its own field)."""

    CATEGORY = "category", "问题分类"
    KIND = "kind", "诉求类型"
    URGENCY = "urgency", "紧急程度"
    LEAD_UNIT = "lead_unit", "主办单位"


class LinkKind(models.TextChoices):
    SAME_REQUESTER = "same_requester", "同一诉求人重复来电"
    SAME_PLACE_TOPIC = "same_place_topic", "同一地点同一问题"
    NEAR_DUPLICATE = "near_duplicate", "内容近似（疑似重复）"


class LinkStatus(models.TextChoices):
    OPEN = "open", "待处理"
    MERGED = "merged", "已并单"
    DISMISSED = "dismissed", "已排除"


class SensitiveCategory(models.TextChoices):
    THREAT_TO_LIFE = "threat_to_life", "危及生命"
    SELF_HARM = "self_harm", "自伤自残"
    GROUP_INCIDENT = "group_incident", "群体性事件"
    SAFETY_HAZARD = "safety_hazard", "安全隐患"
    PUBLIC_OPINION = "public_opinion", "舆情风险"


class AlertStatus(models.TextChoices):
    NEW = "new", "新预警"
    ACKNOWLEDGED = "acknowledged", "已知悉"
    DISMISSED = "dismissed", "已排除"
