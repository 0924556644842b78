"""The default sensitive-content lexicon (jiesu/intel/seed/sensitive.json) as the first version,
in force from 2020-01-01. Later versions are added on the lexicon page or with
`jiesu intel lexicon load`."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "seed" / "sensitive.json"
VALID_FROM = date(2020, 1, 1)


def load_seed(apps, schema_editor):
    lexicon_model = apps.get_model("intel", "SensitiveLexicon")
    term_model = apps.get_model("intel", "SensitiveTerm")
    raw = json.loads(SEED.read_text(encoding="utf-8"))
    if lexicon_model.objects.filter(code=raw["code"]).exists():
        return
    lexicon = lexicon_model.objects.create(code=raw["code"], name=raw["name"], valid_from=VALID_FROM)
    rows = []
    for category, group in raw["categories"].items():
        for key, is_regex in (("words", False), ("patterns", True)):
            for pattern in group.get(key, []):
                rows.append(term_model(lexicon=lexicon, category=category, pattern=pattern, is_regex=is_regex))
    for position, row in enumerate(rows):
        row.position = position
    term_model.objects.bulk_create(rows)


def unload_seed(apps, schema_editor):
    raw = json.loads(SEED.read_text(encoding="utf-8"))
    apps.get_model("intel", "SensitiveLexicon").objects.filter(code=raw["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("intel", "0001_initial")]

    operations = [migrations.RunPython(load_seed, unload_seed)]
