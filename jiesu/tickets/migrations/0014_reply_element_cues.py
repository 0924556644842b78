"""Fill the cues (识别线索) of existing reply elements from the default scheme file.

Only elements whose code and label are those of a default element and that have no cues yet are
filled: a customer's own cues are never overwritten. Reversing leaves the cues in place (they are
data, harmless to the previous schema).
"""

import json
from pathlib import Path
from typing import Any

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "seed" / "reply_elements.json"


def _seed_cues() -> dict[tuple[str, str], list[str]]:
    if not SEED.is_file():
        return {}
    raw = json.loads(SEED.read_text(encoding="utf-8"))
    return {
        (str(e["code"]), str(e["label"])): [str(c) for c in e.get("cues") or []]
        for e in raw.get("elements", [])
        if e.get("cues")
    }


def fill_cues(apps: Any, schema_editor: Any) -> None:
    element_model = apps.get_model("tickets", "ReplyElement")
    cues = _seed_cues()
    for element in element_model.objects.all().only("id", "code", "label", "cues"):
        found = cues.get((element.code, element.label))
        if found and not element.cues:
            element.cues = found
            element.save(update_fields=["cues"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0013_flagged_event_reply_cues")]

    operations = [migrations.RunPython(fill_cues, migrations.RunPython.noop)]
