"""Human-friendly CSV copies of the tables people open first: tickets, ticket events, units.

UTF-8 with a byte-order mark so that Excel shows the Chinese; headers are the fields' Chinese
names, choices show their labels, related rows their names, times the local time. The JSON Lines
files stay the complete, exact record; these are for reading.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from jiesu.handover.files import HashingWriter
from jiesu.handover.manifest import KIND_CSV, FileEntry
from jiesu.handover.registry import label_of

CSV_VIEWS = (
    ("tickets.csv", "tickets.ticket"),
    ("ticket_events.csv", "tickets.ticketevent"),
    ("units.csv", "orgs.unit"),
)
# The column that names a related row for a person reading the sheet.
DISPLAY = {"orgs.unit": "name", "tickets.category": "full_name", "orgs.user": "username", "tickets.ticket": "number"}
FLUSH_ROWS = 1000


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _labelled(labels: dict[Any, Any]) -> Callable[[Any], str]:
    def render(value: Any) -> str:
        return str(labels.get(value, value)) if value not in (None, "") else ""

    return render


@dataclass(frozen=True)
class Column:
    header: str
    lookup: str
    render: Callable[[Any], str]


def _header(field: models.Field[Any, Any]) -> str:
    name = str(field.verbose_name)
    return field.attname if name == field.name.replace("_", " ") else name


def csv_columns(model: type[models.Model]) -> list[Column]:
    columns = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            shown = DISPLAY.get(label_of(field.related_model))  # type: ignore[arg-type]
            columns.append(Column(_header(field), f"{field.name}__{shown}" if shown else field.attname, _text))
        elif field.choices:
            columns.append(Column(_header(field), field.attname, _labelled(dict(field.flatchoices))))
        else:
            columns.append(Column(_header(field), field.attname, _text))
    return columns


def _write_view(directory: Path, name: str, model: type[models.Model], chunk_size: int) -> FileEntry:
    columns = csv_columns(model)
    rows = model._base_manager.order_by("pk").values_list(*(c.lookup for c in columns)).iterator(chunk_size)
    buffer = io.StringIO()
    sheet = csv.writer(buffer)
    count = 0
    with HashingWriter(directory / name) as out:
        out.write("\ufeff".encode())
        sheet.writerow([c.header for c in columns])
        for row in rows:
            sheet.writerow([c.render(v) for c, v in zip(columns, row, strict=True)])
            count += 1
            if count % FLUSH_ROWS == 0:
                out.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        out.write(buffer.getvalue().encode())
    return FileEntry(path=name, kind=KIND_CSV, bytes=out.size, sha256=out.sha256, rows=count)


def csv_views_write(directory: Path, *, chunk_size: int) -> list[FileEntry]:
    return [_write_view(directory, name, apps.get_model(label), chunk_size) for name, label in CSV_VIEWS]
