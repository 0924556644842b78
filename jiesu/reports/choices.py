from django.db import models


class ReportKind(models.TextChoices):
    DAILY = "daily", "日报"
    WEEKLY = "weekly", "周报"
    MONTHLY = "monthly", "月报"
    QUARTERLY = "quarterly", "季报"
    HALF_YEAR = "half_year", "半年报"
    ANNUAL = "annual", "年报"
    SPECIAL = "special", "专报"


class ReportFamily(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    PUBLIC_LINE = "public_line", "公共咨询线"
