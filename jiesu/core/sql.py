"""Migrations that run SQL on PostgreSQL only: functions, triggers and stored columns SQLite has
no counterpart for (its fallbacks live in the ORM code)."""

from __future__ import annotations

import functools
from typing import Any

from django.db import migrations


def postgresql_only(forward: str, backward: str) -> migrations.RunPython:
    """An operation running `forward` (and `backward` when reversed) as one script on PostgreSQL,
    nothing elsewhere. A script is sent whole: PL/pgSQL bodies hold semicolons."""
    return migrations.RunPython(functools.partial(_execute, forward), functools.partial(_execute, backward))


def _execute(sql: str, apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql, params=None)
