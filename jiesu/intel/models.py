"""What text intelligence stores: trained models, the suggestions made with them and the agents'
answers, links between repeat or duplicate tickets, the sensitive-content lexicon, the screening
rules and burst alerts. Lexicon and rules are versioned data with effective dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.intel.choices import AlertStatus, LinkKind, LinkStatus, SensitiveCategory, SuggestedField

USER = settings.AUTH_USER_MODEL


class ModelVersion(models.Model):
    """One trained ticket-suggestion model: its file (addressed by SHA-256) and evaluation report.
    The active version serves suggestions; older ones are kept so a suggestion can be traced."""

    version = models.PositiveIntegerField("版本", unique=True)
    path = models.CharField("模型文件", max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64)
    rows = models.PositiveIntegerField("训练样本数", default=0)
    evaluation = models.JSONField("评估报告", default=dict, blank=True)
    trained_at = models.DateTimeField("训练时间", auto_now_add=True)
    trained_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField("启用", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "分类模型版本"
        verbose_name_plural = "分类模型版本"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class TicketSuggestion(models.Model):
    """The suggestions one model version made for one ticket: per field, the top 3 with confidences
    (`{"category": [{"value": "...", "label": "...", "confidence": 0.81}, ...], ...}`)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="intel_suggestions")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="suggestions")
    suggestions = models.JSONField("建议", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "智能建议"
        verbose_name_plural = "智能建议"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "model_version"], name="suggestion_ticket_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · v{self.model_version_id}"


class SuggestionFeedback(models.Model):
    """An agent's answer to a suggestion: accepted, or corrected to `chosen`. Corrections feed the
    next training."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="intel_feedback")
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    field = models.CharField("字段", max_length=16, choices=SuggestedField.choices)
    suggested = models.CharField("建议值", max_length=200, blank=True)
    chosen = models.CharField("采用值", max_length=200)
    accepted = models.BooleanField("采纳建议")
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "建议反馈"
        verbose_name_plural = "建议反馈"
        indexes = [models.Index(fields=["field", "recorded_at"], name="intel_feedback_field_at")]

    def __str__(self) -> str:
        return f"{self.field}: {self.suggested} → {self.chosen}"


class TicketLink(models.Model):
    """`ticket` repeats or may duplicate the earlier `other`: a repeat flag with its link, or a
    merge suggestion for the ticket page. Merging stays a person's decision."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="intel_links")
    other = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="intel_linked_from")
    kind = models.CharField("类型", max_length=20, choices=LinkKind.choices)
    score = models.FloatField("相似度", default=1.0)
    detected_at = models.DateTimeField("发现时间", auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=LinkStatus.choices, default=LinkStatus.OPEN)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "重复诉求关联"
        verbose_name_plural = "重复诉求关联"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "other", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~Q(ticket=models.F("other")), name="ticket_link_not_self"),
        ]
        indexes = [models.Index(fields=["other", "kind"], name="ticket_link_other_kind")]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.other_id} ({self.kind})"


class RuleVersion(BaseModel):
    """A version of rule data, in force from `valid_from` until the next version starts
    (`valid_to`, set then: jiesu.intel.versions)."""

    code = models.CharField("编码", max_length=64, unique=True)
    valid_from = models.DateField("生效日期", db_index=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.code}（{self.valid_from} 起）"


class ScreeningRuleSet(RuleVersion):
    """Windows and thresholds of the repeat and duplicate screening."""

    CODE_PREFIX = "screening"

    repeat_window_days = models.PositiveSmallIntegerField("同一诉求人重复来电窗口（天）", default=30)
    place_topic_window_days = models.PositiveSmallIntegerField("同一地点同一问题窗口（天）", default=7)
    near_duplicate_window_days = models.PositiveSmallIntegerField("疑似重复比对窗口（天）", default=7)
    near_duplicate_threshold = models.FloatField("疑似重复相似度阈值", default=0.8)

    class Meta(RuleVersion.Meta):
        verbose_name = "重复诉求规则"
        verbose_name_plural = "重复诉求规则"


class BurstRuleSet(RuleVersion):
    """Thresholds of burst detection (docs/intel-bursts.md). A run uses the version in force on
    its window's last day, so running a past date again judges it as it was judged then."""

    CODE_PREFIX = "bursts"

    window_days = models.PositiveSmallIntegerField("观察窗口（天）", default=7)
    years = models.PositiveSmallIntegerField("季节基线往年数", default=3)
    recent_windows = models.PositiveSmallIntegerField("无往年数据时的近期窗口数", default=4)
    category_level = models.PositiveSmallIntegerField("问题分类层级", default=2)
    min_count = models.PositiveIntegerField("最少件数", default=5)
    max_p = models.FloatField("泊松尾概率上限", default=0.001)
    min_ratio = models.FloatField("最小倍数", default=2.0)
    min_expected = models.FloatField("期望值下限", default=0.5)
    max_tickets = models.PositiveIntegerField("预警保留工单数", default=500)

    class Meta(RuleVersion.Meta):
        verbose_name = "突增预警规则"
        verbose_name_plural = "突增预警规则"


class SensitiveLexicon(RuleVersion):
    """A version of the sensitive and urgent content lexicon."""

    name = models.CharField("名称", max_length=128)

    class Meta(RuleVersion.Meta):
        verbose_name = "敏感词库"
        verbose_name_plural = "敏感词库"

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_from} 起）"


class SensitiveTerm(models.Model):
    """A word or regular expression of a lexicon version, with the category it signals."""

    lexicon = models.ForeignKey(SensitiveLexicon, on_delete=models.CASCADE, related_name="terms")
    category = models.CharField("类别", max_length=20, choices=SensitiveCategory.choices)
    pattern = models.CharField("词语或正则表达式", max_length=200)
    is_regex = models.BooleanField("正则表达式", default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["lexicon", "category", "pattern"], name="sensitive_term_unique")]

    def __str__(self) -> str:
        return self.pattern


class BurstAlert(models.Model):
    """A hotspot growing faster than its season (the same weeks of earlier years) would explain:
    told to the analysts, with its tickets, until acknowledged or dismissed."""

    key = models.CharField("热点标识", max_length=200, db_index=True)
    label = models.CharField("热点", max_length=200)
    window_start = models.DateField("窗口开始")
    window_end = models.DateField("窗口结束")
    count = models.PositiveIntegerField("件数")
    expected = models.FloatField("季节基线")
    score = models.FloatField("突增程度")
    ticket_numbers = models.JSONField("工单", default=list)
    detected_at = models.DateTimeField("发现时间", auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    handled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    draft_reference = models.CharField("专报草稿", max_length=200, blank=True)

    class Meta:
        verbose_name = "热点突增预警"
        verbose_name_plural = "热点突增预警"
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start", "window_end"], name="burst_alert_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.window_start}–{self.window_end}）"


class HotspotSnapshot(models.Model):
    """The hotspots of one window of whole days (the last N days up to today), computed by the
    worker (`hotspots.snapshots`) so that the page and the API of a large center answer at once
    instead of detecting for tens of seconds on every visit; `computed_at` is what they show."""

    first_day = models.DateField("开始日期")
    last_day = models.DateField("结束日期（含）")
    computed_at = models.DateTimeField("计算时间")
    tickets = models.PositiveIntegerField("参与计算的工单数（含前期）")
    seconds = models.FloatField("用时（秒）")
    hotspots = models.JSONField("热点", default=list)

    class Meta:
        verbose_name = "热点快照"
        verbose_name_plural = "热点快照"
        constraints = [models.UniqueConstraint(fields=["first_day", "last_day"], name="hotspot_snapshot_window_unique")]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day}（{timezone.localtime(self.computed_at):%Y-%m-%d %H:%M}）"
