from django.db import models


class DeliveryChannel(models.TextChoices):
    INAPP = "inapp", "站内通知"
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    SMS = "sms", "短信"


# Channels that need a ChannelConfig row (in-app needs none).
CONFIGURABLE_CHANNELS = (DeliveryChannel.EMAIL, DeliveryChannel.WECOM, DeliveryChannel.SMS)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    HELD = "held", "免打扰时段暂缓"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class NotificationLevel(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class HttpMethod(models.TextChoices):
    POST = "POST", "POST"
    GET = "GET", "GET"


class BodyFormat(models.TextChoices):
    JSON = "json", "JSON"
    FORM = "form", "表单（application/x-www-form-urlencoded）"
