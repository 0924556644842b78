from django.db import models


class ScopeRule(models.TextChoices):
    """Which assessment scopes (tickets.AssessmentScope) an indicator counts."""

    ASSESSED = "assessed", "全部考核的工单"
    RESPONSE = "response", "全部考核及只考核响应率的工单"
    EVERY = "every", "全部工单（统计量，不是考核）"


class ItemKind(models.TextChoices):
    WEIGHTED_RATE = "weighted_rate", "加权比率"
    THRESHOLD_DEDUCTION = "threshold_deduction", "达标扣分"
    ADJUSTMENT = "adjustment", "加减分"
    TARGET = "target", "合同目标"


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "不低于"
    AT_MOST = "at_most", "不高于"


class Period(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    CUSTOM = "custom", "自定义"


class Grouping(models.TextChoices):
    ALL = "all", "全部"
    UNIT = "unit", "主办单位"
    DISTRICT = "district", "区"
    TOWNSHIP = "township", "街乡镇"
    CATEGORY = "category", "问题分类"
    KIND = "kind", "诉求类型"
    AGENT = "agent", "受理坐席"


class AdjustmentKind(models.TextChoices):
    """Yanta item 4: a superior's commendation adds points, a criticism deducts them."""

    COMMENDATION = "commendation", "表扬"
    CRITICISM = "criticism", "批评"


class PaymentAlertKind(models.TextChoices):
    FAILED_QUARTER = "failed_quarter", "季度得分未达全额付款"
    SECOND_FAILED_QUARTER = "second_failed_quarter", "连续两个季度未达全额付款"
