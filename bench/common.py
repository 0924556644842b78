"""Shared set-up for benchmarks: Django on DATABASE_URL (or a temp SQLite file), migrated."""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiesu.settings")
    os.environ.setdefault("JIESU_SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("JIESU_FIELD_KEY", secrets.token_hex(16))  # personal data is sealed (jiesu.core.fields)
    os.environ.setdefault("JIESU_VAR_DIR", tempfile.mkdtemp(prefix="jiesu-bench-"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def print_table(rows: list[dict[str, Any]]) -> None:
    widths = (34, 22, 16, 14)
    header = ("benchmark", "metric", "value", "target")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        cells = (row.get("benchmark", ""), row.get("metric", ""), row.get("value", ""), row.get("target", ""))
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)))
