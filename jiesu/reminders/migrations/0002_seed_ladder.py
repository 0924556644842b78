"""Seed the reminder ladder of issue 3 for the preset rule sets (all editable in the admin):
2 days before the reply deadline the handling unit's staff, 1 day before its leader, at expiry
the center's shift lead, then every 4 hours the supervisors. docs/domain-rules.md §5.2, §13.1: the Beijing
civil-affairs sub-center reminds the handling unit's leader within 2 days before the deadline."""

from django.db import migrations

LADDER = [
    # stage, offset minutes, repeat minutes, recipient role, channels, note
    ("reply", -2880, None, "unit_staff", ["inapp", "email"], "到期前 2 天提醒承办单位人员"),
    ("reply", -1440, None, "unit_leader", ["inapp", "email", "sms"], "到期前 1 天提醒承办单位领导"),
    ("reply", 0, None, "center_shift_lead", ["inapp", "wecom"], "到期时提醒中心班长"),
    ("reply", 240, 240, "supervisor", ["inapp", "wecom", "sms"], "超期后每 4 小时提醒督办人员"),
]
RULE_SETS = ["beijing", "yanta"]


def seed(apps, schema_editor):
    TimeLimitRuleSet = apps.get_model("sla", "TimeLimitRuleSet")
    ReminderStep = apps.get_model("reminders", "ReminderStep")
    for rule_set in TimeLimitRuleSet.objects.filter(code__in=RULE_SETS):
        for stage, offset, repeat, role, channels, note in LADDER:
            ReminderStep.objects.create(
                rule_set=rule_set,
                stage=stage,
                offset_minutes=offset,
                repeat_every_minutes=repeat,
                recipient_role=role,
                channels=channels,
                note=note,
            )


def unseed(apps, schema_editor):
    ReminderStep = apps.get_model("reminders", "ReminderStep")
    for stage, offset, _repeat, role, _channels, note in LADDER:
        ReminderStep.objects.filter(
            rule_set__code__in=RULE_SETS, stage=stage, offset_minutes=offset, recipient_role=role, note=note
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
