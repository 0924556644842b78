"""Rows that feed the working-time maths: the holiday calendar, working hours and time limits.

All of it is configuration with effective dates, edited in the admin (docs/style.md §4.5); the
maths itself lives in `jiesu.sla.calendar` and never touches these models.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.orgs.choices import UnitKind
from jiesu.sla.choices import AssessmentPeriodBasis, Confidence, LimitUnit, Stage

DEFAULT_PERIODS_JSON: list[list[str]] = [["09:00", "12:00"], ["13:30", "17:30"]]
DEFAULT_WEEKDAYS_JSON: list[int] = [1, 2, 3, 4, 5]  # ISO weekdays: 1 = Monday


def default_periods() -> list[list[str]]:
    return [list(pair) for pair in DEFAULT_PERIODS_JSON]


def default_weekdays() -> list[int]:
    return list(DEFAULT_WEEKDAYS_JSON)


def default_callback_final_outcomes() -> list[str]:
    """A wrong number or a refusal ends the callback at once (values of tickets' CallbackOutcome)."""
    return ["wrong_number", "refused"]


class CalendarYear(BaseModel):
    """The State Council's holiday notice for one year. A year counts as loaded (working days can
    be computed) only once `is_complete` is set; until then every working-time question about it
    is refused."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    notice_number = models.CharField("通知文号", max_length=64, blank=True, help_text="如 国办发明电〔2025〕7号")
    notice_url = models.URLField("通知链接", max_length=500, blank=True)
    source = models.CharField("数据来源", max_length=200, blank=True)
    is_complete = models.BooleanField(
        "已录入完整", default=False, help_text="全部放假与调休日期录入并核对后再勾选；未勾选的年份不参与工作日计算。"
    )
    loaded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "节假日年度安排"
        verbose_name_plural = "节假日年度安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(BaseModel):
    """A day that differs from the Mon–Fri default: a weekday holiday (`is_workday` False) or a
    weekend make-up workday (调休上班, `is_workday` True)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选：周末调休上班；不勾选：放假")
    name = models.CharField("节日名称", max_length=64, blank=True, help_text="如 春节、国庆节")
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度")

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'调休上班' if self.is_workday else '放假'} {self.name}".strip()

    def clean(self) -> None:
        if self.day and self.year_id and self.year.year != self.day.year:
            raise ValidationError({"year": f"日期 {self.day} 不属于 {self.year.year} 年"})
        if self.day and self.is_workday and self.day.weekday() < 5:
            raise ValidationError({"is_workday": "周一至周五本来就是工作日，只有周六、周日才需要登记调休上班"})


class WorkingHours(BaseModel):
    """The daily working periods of a center (lunch break included), versioned by date.

    `code` names the schedule ("default" unless a center has its own); the row with the latest
    `effective_from` on or before a day applies to that day. CalendarDay stores only weekday
    holidays, so a schedule that includes Saturday or Sunday would also work the weekend days of
    a holiday break: record those days as holidays too before using such a schedule."""

    code = models.CharField("编码", max_length=32, default="default")
    name = models.CharField("名称", max_length=128)
    effective_from = models.DateField("生效日期")
    periods = models.JSONField(
        "工作时间段",
        default=default_periods,
        help_text='按时间顺序的 [开始, 结束] 列表，如 [["09:00", "12:00"], ["13:30", "17:30"]]',
    )
    weekdays = models.JSONField("每周工作日", default=default_weekdays, help_text="ISO 星期序号，1 = 周一 … 7 = 周日")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "工作时间"
        verbose_name_plural = "工作时间"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="sla_working_hours_code_from_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from} 起）"

    def clean(self) -> None:
        try:
            periods = self.period_times()
            python_weekdays = self.python_weekdays()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if not python_weekdays:
            raise ValidationError({"weekdays": "至少需要一个工作日"})
        previous_end: time | None = None
        for start, end in periods:
            if start >= end or (previous_end is not None and start < previous_end):
                raise ValidationError({"periods": "工作时间段必须按时间顺序排列、开始早于结束且互不重叠"})
            previous_end = end

    def period_times(self) -> tuple[tuple[time, time], ...]:
        return parse_periods(self.periods)

    def python_weekdays(self) -> frozenset[int]:
        """`weekdays` as date.weekday() values (0 = Monday)."""
        values = self.weekdays
        if not isinstance(values, list) or not all(isinstance(v, int) and 1 <= v <= 7 for v in values):
            raise ValueError("每周工作日应为 1–7 的整数列表")
        return frozenset(v - 1 for v in values)


def parse_periods(raw: Any) -> tuple[tuple[time, time], ...]:
    """[["09:00", "12:00"], …] → ((time(9), time(12)), …); ValueError with a Chinese message."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("工作时间段应为非空列表")
    result: list[tuple[time, time]] = []
    for pair in raw:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise ValueError(f'工作时间段格式有误：{pair!r}，应为 ["09:00", "12:00"]')
        try:
            result.append((time.fromisoformat(pair[0]), time.fromisoformat(pair[1])))
        except ValueError as exc:
            raise ValueError(f'工作时间段格式有误：{pair!r}，应为 ["09:00", "12:00"]') from exc
    return tuple(result)


class TimeLimitRuleSet(BaseModel):
    """A versioned set of time limits (one customer's or one standard's). The active set whose
    date range contains a day applies to tickets of that day."""

    code = models.CharField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="含当天；留空表示长期有效")
    source_note = models.TextField("来源说明", blank=True)
    confidence = models.CharField("可信度", max_length=2, choices=Confidence.choices, default=Confidence.UNKNOWN)
    is_active = models.BooleanField("启用", default=False)
    working_hours_code = models.CharField(
        "工作时间编码",
        max_length=32,
        default="default",
        help_text="计算工作小时、工作日所用的工作时间（WorkingHours.code）",
    )
    # Sector confirmation (行业工单确认, docs/domain-rules.md §3.2): a window after the push, and
    # one cut-off for the whole assessment period; the earlier of the two closes confirmation.
    sector_confirmation_days = models.PositiveSmallIntegerField(
        "行业确认期限（天）",
        default=10,
        help_text="推送之日后第 N 个自然日内可确认（到第 N+1 日 0:00 截止），逾期自动确认为“是”。"
        "若本规则集有“行业确认”环节的时限规则，则以该规则算出的时限代替本期限。",
    )
    sector_cutoff_day = models.PositiveSmallIntegerField(
        "考核周期确认截止日",
        null=True,
        blank=True,
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="考核周期次月的第几日截止全部行业确认（1–28）；留空表示不设统一截止。",
    )
    sector_cutoff_time = models.TimeField("考核周期确认截止时刻", default=time(12, 0))
    assessment_period_basis = models.CharField(
        "考核周期归属",
        max_length=16,
        choices=AssessmentPeriodBasis.choices,
        default=AssessmentPeriodBasis.RECEIVED,
        help_text="工单计入哪个月的考核周期：按受理时间或按推送行业确认的时间。",
    )
    # Callback attempts (回访): when an unreachable requester's callback is closed as invalid.
    # Beijing practice: three failed calls on at least two different days.
    callback_max_attempts = models.PositiveSmallIntegerField(
        "回访最多拨打次数",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="未接通达到此次数（且满足下面的天数）后，回访按“未联系上、无效回访”结束。",
    )
    callback_min_days = models.PositiveSmallIntegerField(
        "回访拨打最少天数",
        default=2,
        validators=[MinValueValidator(1)],
        help_text="未接通的拨打须分布在至少这么多个不同的日子，才可按无效回访结束。",
    )
    callback_final_outcomes = models.JSONField(
        "立即结束回访的结果",
        default=default_callback_final_outcomes,
        blank=True,
        help_text='出现即按无效回访结束的拨打结果编码列表，如 ["wrong_number", "refused"]。',
    )

    class Meta:
        verbose_name = "时限规则集"
        verbose_name_plural = "时限规则集"
        ordering = ["-is_active", "-effective_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="sla_rule_set_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(sector_cutoff_day__isnull=True) | Q(sector_cutoff_day__gte=1, sector_cutoff_day__lte=28),
                name="sla_rule_set_sector_cutoff_day_1_28",
            ),
            models.CheckConstraint(
                condition=Q(callback_min_days__gte=1, callback_min_days__lte=models.F("callback_max_attempts")),
                name="sla_rule_set_callback_days_within_attempts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def clean(self) -> None:
        outcomes = self.callback_final_outcomes
        if not isinstance(outcomes, list) or not all(isinstance(o, str) and o for o in outcomes):
            raise ValidationError({"callback_final_outcomes": '应为拨打结果编码的列表，如 ["wrong_number", "refused"]'})
        if (
            self.callback_min_days
            and self.callback_max_attempts
            and self.callback_min_days > self.callback_max_attempts
        ):
            raise ValidationError({"callback_min_days": "拨打最少天数不能多于最多拨打次数"})


class TimeLimitRule(BaseModel):
    """One time limit of a stage. Blank (or empty) match fields match anything; when several rules
    of a stage match, the one with more non-blank match fields wins, then the higher priority."""

    MATCH_FIELDS = (
        "urgency",
        "kind",
        "is_complex",
        "channel",
        "category_code_prefix",
        "unit_kind",
        "in_working_time",
    )

    rule_set = models.ForeignKey(
        TimeLimitRuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name="规则集"
    )
    stage = models.CharField("环节", max_length=32, choices=Stage.choices)
    amount = models.PositiveIntegerField("时限数值")
    unit = models.CharField("单位", max_length=3, choices=LimitUnit.choices)
    end_of_working_day = models.BooleanField(
        "截至下班时间", default=False, help_text="仅对工作日有效：截至第 n 个工作日下班时，而非当日 23:59:59"
    )
    urgency = models.CharField("紧急程度", max_length=16, blank=True, help_text="urgent / normal；留空表示不限")
    kind = models.CharField("诉求类型", max_length=16, blank=True, help_text="consultation / help / complaint …")
    is_complex = models.BooleanField("复杂疑难", null=True, blank=True, help_text="留空表示不限")
    channel = models.CharField("受理渠道", max_length=16, blank=True, help_text="phone / web / app / wechat …")
    category_code_prefix = models.CharField("分类编码前缀", max_length=64, blank=True)
    unit_kind = models.CharField("承办单位类型", max_length=32, choices=UnitKind.choices, blank=True)
    in_working_time = models.BooleanField(
        "工作时间内收到", null=True, blank=True, help_text="是：工作时间内收到；否：工作时间外收到；留空表示不限"
    )
    priority = models.IntegerField("优先级", default=0, help_text="同样具体的规则中，数值大者优先")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        ordering = ["rule_set", "stage", "-priority", "id"]
        indexes = [models.Index(fields=["rule_set", "stage"], name="sla_rule_set_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_of_working_day=False) | Q(unit=LimitUnit.WORKING_DAY),
                name="sla_rule_end_of_working_day_only_for_wd",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.amount}{self.get_unit_display()}"

    def clean(self) -> None:
        if self.end_of_working_day and self.unit != LimitUnit.WORKING_DAY:
            raise ValidationError({"end_of_working_day": "“截至下班时间”只适用于以工作日计的时限"})

    @property
    def specificity(self) -> int:
        """Number of match fields that are set."""
        return sum(1 for name in self.MATCH_FIELDS if getattr(self, name) not in ("", None))
