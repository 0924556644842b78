"""Seed the preset assessment schemes of docs/domain-rules.md §2.2 and §13 (docs/kpi.md).

Each preset is version 1, in force from 2019-01-01 (the start of 接诉即办); a customer's own
weights or thresholds are a new version with a later effective date.
"""

import datetime

from django.db import migrations

SINCE = datetime.date(2019, 1, 1)


def weighted(code, label, weight, points):
    return {
        "indicator_code": code,
        "label": label,
        "kind": "weighted_rate",
        "max_points": points,
        "params": {"weight": weight},
    }


def target(code, label, threshold, direction="at_least"):
    return {
        "indicator_code": code,
        "label": label,
        "kind": "target",
        "max_points": 0,
        "params": {"threshold": threshold, "direction": direction},
    }


def deduction(code, label, points, threshold, per_point, direction="at_least"):
    return {
        "indicator_code": code,
        "label": label,
        "kind": "threshold_deduction",
        "max_points": points,
        "params": {"threshold": threshold, "per_point": per_point, "direction": direction},
    }


PRESETS = [
    {
        "code": "beijing-3rates",
        "name": "北京三率考核",
        "period": "month",
        "basis": "公开实现中的规则集（domain-rules.md §2.2 [P]）：综合成绩 = (0.10×响应率 + 0.50×解决率 + 0.40×满意率)×100，基本满意系数 0.9",
        "items": [
            weighted("response_rate", "响应率", "0.10", 10),
            weighted("resolution_rate", "解决率", "0.50", 50),
            weighted("satisfaction_rate", "满意率", "0.40", 40),
        ],
    },
    {
        "code": "civil-affairs-contract",
        "name": "民政热线分中心合同指标",
        "period": "month",
        "basis": "采购文件（domain-rules.md §13.1）：响应率 100%，解决率 ≥ 90%，满意率 ≥ 95%，回访率 100%",
        "items": [
            target("response_rate", "响应率", "1"),
            target("resolution_rate", "解决率", "0.90"),
            target("satisfaction_rate", "满意率", "0.95"),
            target("callback_rate", "回访率", "1"),
        ],
    },
    {
        "code": "panjin",
        "name": "盘锦 12345 平台合同指标",
        "period": "month",
        "basis": "采购文件（domain-rules.md §13.3）：直接办复率 ≥ 60%，办结率 ≥ 90%，满意率 ≥ 80%；接通率和好评率待话务数据",
        "items": [
            target("direct_answer_rate", "直接办复率", "0.60"),
            target("completion_rate", "办结率", "0.90"),
            target("satisfaction_rate", "满意率", "0.80"),
        ],
    },
    {
        "code": "yanta-quarterly",
        "name": "雁塔区季度百分制考核",
        "period": "quarter",
        "basis": "采购文件（domain-rules.md §13.4）：六项 100 分；≥ 90 分全额付款，80–90 分每低 1 分扣 1%，< 80 分付 80%",
        "payment_rule": {"full_at": 90, "per_point": "0.01", "floor_below": 80, "floor_share": "0.8"},
        "items": [
            deduction("on_time_acknowledge_rate", "市级工单 2 个工作小时内签收", 10, "0.90", 1),
            deduction("on_time_dispatch_normal_rate", "一般工单 2 个工作小时内派单", 10, "0.90", 1),
            deduction("on_time_dispatch_complex_rate", "复杂疑难工单 1 个工作日内派单", 10, "0.90", 1),
            deduction("on_time_reply_rate", "2 个工作小时内审核上报", 10, "0.90", 1),
            deduction("on_time_completion_rate", "按期办结", 20, "0.95", 2),
            deduction("return_rate", "退单率", 20, "0.20", 2, direction="at_most"),
            {
                "indicator_code": "",
                "label": "上级表扬 / 批评",
                "kind": "adjustment",
                "max_points": 20,
                "params": {"base": 20, "min": 0, "max": 20},
            },
        ],
    },
]


def seed(apps, schema_editor):
    AssessmentScheme = apps.get_model("kpi", "AssessmentScheme")
    SchemeItem = apps.get_model("kpi", "SchemeItem")
    for preset in PRESETS:
        scheme, created = AssessmentScheme.objects.get_or_create(
            code=preset["code"],
            version=1,
            defaults={
                "name": preset["name"],
                "period": preset["period"],
                "effective_from": SINCE,
                "basis": preset["basis"],
                "payment_rule": preset.get("payment_rule", {}),
            },
        )
        if created:
            for position, item in enumerate(preset["items"], start=1):
                SchemeItem.objects.create(scheme=scheme, position=position, **item)


def unseed(apps, schema_editor):
    AssessmentScheme = apps.get_model("kpi", "AssessmentScheme")
    AssessmentScheme.objects.filter(version=1, code__in=[p["code"] for p in PRESETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
