"""Excel (.xlsx) export and import of one library, in the same format both ways.

One sheet; row 1 holds the Chinese column labels of `libraries.py` (any order; optional columns may
be left out), one entry per row; cell formats are in `cells.py`. An import is all or nothing:
every row is read and validated first, and a single error leaves the database untouched. Errors
name the row and the column ("第 3 行「发文机关」：请填写发文机关").

A row updates an existing entry of the library with the same key, and creates one otherwise:
policies are matched by 文号 (or by title when the row has none), every other library by title and
unit. Imported entries are drafts, unless a knowledge editor imports with `publish=True`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile, ZipFile

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from jiesu.audit.services import audit_record
from jiesu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiesu.knowledge.cells import CellError, cell_read, cell_write
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.libraries import LibrarySpec, entry_fields_clean, library_spec
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.permissions import can_draft_knowledge, can_edit_entry, can_publish_knowledge, entries_visible_to
from jiesu.knowledge.services import entry_create, entry_publish, entry_update
from jiesu.orgs.models import User

MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 200 * 2**20  # 5,000 rows of long policy texts stay far below this
MAX_ERRORS_IN_MESSAGE = 20


@dataclass
class ImportResult:
    library: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0

    def summary(self) -> str:
        return (
            f"{Library(self.library).label}：新建 {self.created} 条，更新 {self.updated} 条，"
            f"未变 {self.unchanged} 条，发布 {self.published} 条"
        )


@dataclass
class _Row:
    number: int  # the spreadsheet row number, as people see it
    values: dict[str, Any]
    entry: KnowledgeEntry | None = None


@dataclass
class _Plan:
    rows: list[_Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def library_export(*, library: str, viewer: User | None, statuses: Sequence[str] = ()) -> bytes:
    """The library's entries visible to `viewer` (optionally only some statuses) as .xlsx bytes."""
    spec = library_spec(library)
    entries = entries_visible_to(viewer).filter(library=library).select_related("unit", "category").order_by("pk")
    if statuses:
        entries = entries.filter(status__in=statuses)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = Library(library).label
    sheet.append([f.label for f in spec.fields])
    count = 0
    for entry in entries.iterator(chunk_size=500):
        sheet.append([cell_write(f.kind, getattr(entry, f.name)) for f in spec.fields])
        count += 1
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula (CSV/formula injection)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    audit_record(actor=viewer, action="knowledge.export", detail={"library": library, "rows": count})
    return out.getvalue()


def _check_unpacked_size(source: str | Path | IO[bytes]) -> None:
    """An .xlsx is a zip: a small upload may unpack to gigabytes, and openpyxl reads the shared
    strings whole before the row limit can stop it."""
    try:
        with ZipFile(source) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (BadZipFile, OSError) as exc:
        raise ValidationFailed("无法读取 Excel 文件，请使用 .xlsx 格式") from exc
    finally:
        if not isinstance(source, str | Path):
            source.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationFailed(f"Excel 文件解压后超过 {MAX_UNPACKED_BYTES // 2**20} MB，请拆分后再导入")


def _read_sheet(source: str | Path | IO[bytes]) -> list[tuple[Any, ...]]:
    _check_unpacked_size(source)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed("无法读取 Excel 文件，请使用 .xlsx 格式") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + 1:
                raise ValidationFailed(f"一次最多导入 {MAX_ROWS} 行")
        return rows
    finally:
        book.close()


def _columns(spec: LibrarySpec, header: tuple[Any, ...]) -> tuple[dict[int, str], list[str]]:
    by_label = {f.label: f.name for f in spec.fields}
    columns: dict[int, str] = {}
    errors: list[str] = []
    for index, raw in enumerate(header):
        label = str(raw or "").strip()
        if not label:
            continue
        if label not in by_label:
            errors.append(f"第 1 行：未知的列「{label}」")
        elif by_label[label] in columns.values():
            errors.append(f"第 1 行：列「{label}」重复")
        else:
            columns[index] = by_label[label]
    missing = [f.label for f in spec.fields if f.required and f.name not in columns.values()]
    errors += [f"第 1 行：缺少必填列「{label}」" for label in missing]
    return columns, errors


def _row_key(library: str, values: dict[str, Any]) -> tuple[str, str]:
    if library == Library.POLICY and values.get("document_number"):
        return ("document_number", values["document_number"])
    unit = values.get("unit")
    return ("title", f"{values.get('title', '')}\x00{unit.code if unit is not None else ''}")


def _existing(library: str, values: dict[str, Any]) -> KnowledgeEntry | None:
    entries = KnowledgeEntry.objects.filter(library=library)
    if library == Library.POLICY:
        number = values.get("document_number")
        found = entries.filter(document_number=number) if number else entries.filter(title=values.get("title", ""))
    else:
        found = entries.filter(title=values.get("title", ""), unit=values.get("unit"))
    matches = list(found[:2])
    if len(matches) > 1:
        raise CellError("库中有多个条目与此行匹配，无法确定要更新哪一个")
    return matches[0] if matches else None


def _check_row(spec: LibrarySpec, row: _Row, actor: User | None) -> list[str]:
    """Row-level errors, each naming the row and the column."""
    library = spec.library
    try:
        row.entry = _existing(library, row.values)
    except CellError as exc:
        return [f"第 {row.number} 行：{exc}"]
    if row.entry is not None and actor is not None and not can_edit_entry(actor, row.entry):
        # Name the entry only to those who may read it: a draft's title is its author's business.
        if entries_visible_to(actor).filter(pk=row.entry.pk).exists():
            what = f"“{row.entry.title}”（{EntryStatus(row.entry.status).label}）"
            return [f"第 {row.number} 行：无权修改已有条目{what}"]
        return [f"第 {row.number} 行：库中已有同名或同文号的条目，您无权修改"]
    base = {} if row.entry is None else {name: getattr(row.entry, name) for name in spec.names}
    try:
        entry_fields_clean(library, {**base, **row.values})
    except ValidationFailed as exc:
        fields: dict[str, str] = exc.details.get("fields") or {}
        return [f"第 {row.number} 行「{spec.label(name)}」：{message}" for name, message in fields.items()]
    return []


def _plan(spec: LibrarySpec, rows: list[tuple[Any, ...]], actor: User | None) -> _Plan:
    plan = _Plan()
    if not rows:
        plan.errors.append("文件是空的：第 1 行应为列名")
        return plan
    columns, plan.errors = _columns(spec, rows[0])
    if plan.errors:
        return plan
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        row, row_errors = _Row(number=number, values={}), []
        for index, name in columns.items():
            try:
                row.values[name] = cell_read(spec.field(name).kind, cells[index] if index < len(cells) else None)
            except CellError as exc:
                row_errors.append(f"第 {number} 行「{spec.label(name)}」：{exc}")
        if not row_errors:
            key = _row_key(spec.library, row.values)
            if key in seen:
                row_errors.append(f"第 {number} 行：与第 {seen[key]} 行是同一条目")
            else:
                seen[key] = number
                row_errors = _check_row(spec, row, actor)
        plan.errors += row_errors
        plan.rows.append(row)
    return plan


def library_import(
    *, library: str, source: str | Path | IO[bytes], actor: User | None, publish: bool = False
) -> ImportResult:
    """Import an .xlsx file into `library`; raises ValidationFailed (details: `errors`, one line per
    problem) and writes nothing when any row is wrong."""
    spec = library_spec(library)
    if actor is not None and not can_draft_knowledge(actor):
        raise PermissionDenied("无权导入知识条目")
    if publish and actor is not None and not can_publish_knowledge(actor):
        raise PermissionDenied("只有知识库编辑可以在导入时直接发布")
    plan = _plan(spec, _read_sheet(source), actor)
    if plan.errors:
        shown = "；".join(plan.errors[:MAX_ERRORS_IN_MESSAGE])
        more = (
            f"；另有 {len(plan.errors) - MAX_ERRORS_IN_MESSAGE} 处错误"
            if len(plan.errors) > MAX_ERRORS_IN_MESSAGE
            else ""
        )
        raise ValidationFailed(
            f"导入失败，未写入任何数据（{len(plan.errors)} 处错误）：{shown}{more}", errors=plan.errors
        )
    result = ImportResult(library=library)
    try:
        with transaction.atomic():
            for row in plan.rows:
                _apply(row, library=library, actor=actor, publish=publish, result=result)
            audit_record(actor=actor, action="knowledge.import", detail={"library": library, **_counts(result)})
    except DomainError as exc:
        raise type(exc)(f"导入失败，未写入任何数据：{exc.message}", **exc.details) from exc
    return result


def _apply(row: _Row, *, library: str, actor: User | None, publish: bool, result: ImportResult) -> None:
    if row.entry is None:
        entry = entry_create(actor=actor, library=library, **row.values)
        result.created += 1
    else:
        before = row.entry.version
        entry = entry_update(entry=row.entry, actor=actor, **row.values)
        if entry.version == before:
            result.unchanged += 1
        else:
            result.updated += 1
    if publish and entry.status in (EntryStatus.DRAFT, EntryStatus.REVIEW):
        entry_publish(entry=entry, actor=actor)
        result.published += 1


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "published": result.published,
    }
