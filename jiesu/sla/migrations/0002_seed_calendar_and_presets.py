"""Seed the holiday calendar 2004–2026, the default working hours and two time-limit presets.

The calendar comes from chinesecalendar 1.11.0 (pinned in pyproject.toml); 2025 and 2026 were
cross-checked day by day against the State Council notices (docs/domain-rules.md §10, and the
test `test_seed_matches_domain_rules_tables`). Only days that differ from the Mon–Fri default are
stored: weekday holidays and weekend make-up workdays.
"""

from datetime import date, timedelta

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026  # never extend this by trusting the package for a new year

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

NOTICES = {
    2025: (
        "国办发明电〔2024〕12号",
        "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm",
        "国务院办公厅关于2025年部分节假日安排的通知（已与 chinesecalendar 1.11.0、holiday-cn 逐日核对）",
    ),
    2026: (
        "国办发明电〔2025〕7号",
        "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
        "国务院办公厅关于2026年部分节假日安排的通知（已与 chinesecalendar 1.11.0、holiday-cn 逐日核对）",
    ),
}
PACKAGE_SOURCE = "chinesecalendar 1.11.0（LKI/chinese-calendar），未逐年核对通知原文"

SOURCE_BEIJING = (
    "北京市地方标准 DB11/T 2021—2022《12345市民服务热线服务与管理规范》（2023-01-01 实施）。"
    "派单时限据北京日报 2022-11-16 报道（正式版）；反馈时限据北京日报 2021-12-28 报道（征求意见稿），"
    "正式版仅确认“复杂疑难 15 天”。标准未说明是否为工作日，暂按小时与自然日计（docs/domain-rules.md §5.1）。"
)
SOURCE_YANTA = (
    "西安市雁塔区 12345 平台采购文件（docs/domain-rules.md §5.2、§13.4）：市级工单工作时间内 2 小时、"
    "工作时间外 4 小时签收；普通工单 2 个工作小时内派单，复杂工单 1 个工作日内派单；办理结果 2 个工作小时内审核上报。"
    "“工作时间”的具体定义尚待客户提供，暂用默认工作时间。"
)
NOTE_UTILITIES = (
    "示例行：水电气热等基础民生保障及极端天气类诉求。请在“分类编码前缀”中填入对应分类编码后生效；"
    "前缀留空时本行优先级低于一般规则，不会被选中。"
)

BEIJING_RULES = [
    # stage, amount, unit, match fields, priority, note
    (
        "dispatch",
        1,
        "h",
        {"urgency": "urgent"},
        10,
        "突发事件、不稳定因素、公共卫生事件及其他危及生命财产安全的诉求：1 小时内派单 [V2]",
    ),
    ("dispatch", 2, "h", {}, -1, NOTE_UTILITIES + " 2 小时内派单 [V2]"),
    ("dispatch", 24, "h", {}, 0, "一般诉求：24 小时内派单 [V2，原文转载不完整]"),
    ("reply", 2, "h", {"urgency": "urgent"}, 10, "突发事件及危及生命财产安全的诉求：2 小时内反馈 [V2，征求意见稿]"),
    ("reply", 24, "h", {}, -1, NOTE_UTILITIES + " 24 小时内反馈 [V2，征求意见稿]"),
    ("reply", 7, "d", {}, 0, "一般诉求：7 天内反馈 [V2，征求意见稿；自然日/工作日未核实]"),
    ("reply", 15, "d", {"is_complex": True}, 0, "复杂疑难诉求：15 天内反馈 [V2]"),
]

YANTA_RULES = [
    ("acknowledge", 2, "wh", {"in_working_time": True}, 0, "工作时间内收到的市级工单：2 小时内签收 [V]"),
    ("acknowledge", 4, "h", {"in_working_time": False}, 0, "工作时间外收到的市级工单：4 小时内签收 [V]"),
    ("dispatch", 2, "wh", {}, 0, "普通工单：2 个工作小时内派单 [V]"),
    ("dispatch", 1, "wd", {"is_complex": True}, 0, "复杂工单：1 个工作日内派单 [V]"),
    ("close", 2, "wh", {}, 0, "办理结果审核上报：2 个工作小时内 [V]"),
]


def _break_names(holidays):
    """Name each holiday by its whole break, so that a merged break (2025: 国庆 + 中秋) reads as one."""
    names = {}
    days = sorted(holidays)
    start = 0
    for i in range(1, len(days) + 1):
        if i == len(days) or days[i] - days[i - 1] != timedelta(days=1):
            run = days[start:i]
            labels = []
            for day in run:
                label = NAMES.get(holidays[day], holidays[day])
                if label not in labels:
                    labels.append(label)
            for day in run:
                names[day] = "、".join(labels)
            start = i
    return names


def seed_calendar(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    holidays = {d: n for d, n in constants.holidays.items() if FIRST_YEAR <= d.year <= LAST_YEAR}
    make_up = {d: n for d, n in constants.workdays.items() if FIRST_YEAR <= d.year <= LAST_YEAR}
    names = _break_names(holidays)
    years = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        number, url, source = NOTICES.get(year, ("", "", PACKAGE_SOURCE))
        years[year] = CalendarYear.objects.create(
            year=year, notice_number=number, notice_url=url, source=source, is_complete=True
        )
    rows = [
        CalendarDay(day=day, is_workday=False, name=names[day], year=years[day.year])
        for day in sorted(holidays)
        if day.weekday() < 5
    ]
    rows += [
        CalendarDay(day=day, is_workday=True, name=NAMES.get(name, name), year=years[day.year])
        for day, name in sorted(make_up.items())
        if day.weekday() >= 5
    ]
    CalendarDay.objects.bulk_create(rows)


def seed_working_hours(apps, schema_editor):
    WorkingHours = apps.get_model("sla", "WorkingHours")
    WorkingHours.objects.create(
        code="default",
        name="默认工作时间（9:00–12:00，13:30–17:30）",
        effective_from=date(2004, 1, 1),
        periods=[["09:00", "12:00"], ["13:30", "17:30"]],
        weekdays=[1, 2, 3, 4, 5],
        note="客户对“工作时间”的定义（每日时段、午休、节假日值守）尚待确认（docs/domain-rules.md §5.2），请按实际修改或新增版本。",
    )


def _create_rule_set(apps, *, code, name, source_note, confidence, is_active, rules):
    TimeLimitRuleSet = apps.get_model("sla", "TimeLimitRuleSet")
    TimeLimitRule = apps.get_model("sla", "TimeLimitRule")
    rule_set = TimeLimitRuleSet.objects.create(
        code=code,
        name=name,
        effective_from=date(2023, 1, 1),
        source_note=source_note,
        confidence=confidence,
        is_active=is_active,
        working_hours_code="default",
    )
    for stage, amount, unit, match, priority, note in rules:
        TimeLimitRule.objects.create(
            rule_set=rule_set, stage=stage, amount=amount, unit=unit, priority=priority, note=note, **match
        )


def seed_presets(apps, schema_editor):
    _create_rule_set(
        apps,
        code="beijing",
        name="北京市 12345（DB11/T 2021—2022）",
        source_note=SOURCE_BEIJING,
        confidence="V2",
        is_active=True,
        rules=BEIJING_RULES,
    )
    _create_rule_set(
        apps,
        code="yanta",
        name="西安市雁塔区 12345 平台",
        source_note=SOURCE_YANTA,
        confidence="V",
        is_active=False,
        rules=YANTA_RULES,
    )


def unseed_calendar(apps, schema_editor):
    apps.get_model("sla", "CalendarYear").objects.filter(year__range=(FIRST_YEAR, LAST_YEAR)).delete()


def unseed_working_hours(apps, schema_editor):
    apps.get_model("sla", "WorkingHours").objects.filter(code="default", effective_from=date(2004, 1, 1)).delete()


def unseed_presets(apps, schema_editor):
    apps.get_model("sla", "TimeLimitRuleSet").objects.filter(code__in=["beijing", "yanta"]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [
        migrations.RunPython(seed_calendar, unseed_calendar),
        migrations.RunPython(seed_working_hours, unseed_working_hours),
        migrations.RunPython(seed_presets, unseed_presets),
    ]
