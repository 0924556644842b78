"""Seed the 2-year default of the civil-affairs contracts (docs/domain-rules.md §12.1: recordings
and text records are kept at least 2 years). Dated in the past so it is in force from the start;
later changes are new versions added with `jiesu retention set`."""

import datetime

from django.db import migrations

SINCE = datetime.date(2000, 1, 1)
NOTICE = "默认策略：民政热线合同要求录音和文字记录至少保存 2 年"


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for record_class in ("recording", "text_record"):
        RetentionPolicy.objects.get_or_create(
            record_class=record_class, effective_from=SINCE, defaults={"keep_days": 730, "notice": NOTICE}
        )


def unseed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    RetentionPolicy.objects.filter(effective_from=SINCE, notice=NOTICE, purges__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
