"""The first version of the exclusion list: the statutory special-handling cases (条例 Art. 11),
which the codes used before this list existed already named, and the grounds for designating an
unreasonable appeal. Customers edit their own list in the product (new versions by date)."""

import datetime

from django.db import migrations

SINCE = datetime.date(2020, 1, 1)

EXCLUSION = [
    ("emergency", "紧急事项已转110/119/120/122", "excluded"),
    ("legal_channel", "应通过诉讼、仲裁、复议、信访等途径解决", "excluded"),
    ("repeat", "重复诉求且无新情况新理由", "response_only"),
    ("secret_privacy", "涉及国家秘密、商业秘密或个人隐私", "excluded"),
    ("out_of_duty", "不属于任何单位职责范围", "excluded"),
    ("unreasonable", "违反法律法规或公序良俗的不合理诉求", "excluded"),
    ("other", "其他（见说明）", "excluded"),
]

UNREASONABLE = [
    ("illegal_demand", "诉求违反法律法规", "excluded"),
    ("against_public_order", "诉求违背公序良俗", "excluded"),
    ("beyond_policy", "诉求超出政策规定，已依法依规解释", "response_only"),
    ("repeated_harassment", "反复来电无理纠缠", "excluded"),
    ("other", "其他（见说明）", "excluded"),
]


def seed(apps, schema_editor):
    reason = apps.get_model("tickets", "ExclusionReason")
    rows = [
        reason(kind=kind, code=code, label=label, default_scope=scope, position=i, effective_from=SINCE)
        for kind, table in (("exclusion", EXCLUSION), ("unreasonable", UNREASONABLE))
        for i, (code, label, scope) in enumerate(table, start=1)
    ]
    reason.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("tickets", "ExclusionReason").objects.filter(effective_from=SINCE).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_callbacks_and_exclusions")]

    operations = [migrations.RunPython(seed, unseed)]
