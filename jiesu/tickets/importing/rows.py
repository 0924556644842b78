"""From a raw row to a validated ImportRecord: headers, value maps, units and categories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jiesu.orgs.models import Unit
from jiesu.tickets.importing.cells import CellError, ValueTables, cell_text, parse_moment
from jiesu.tickets.importing.errors import ImportFileError, RowError, RowRejectedError
from jiesu.tickets.importing.lookups import CategoryLookup, ResolveError, UnitLookup
from jiesu.tickets.importing.mappings import FIELDS, FieldType, Mapping, fold
from jiesu.tickets.importing.readers import Cell
from jiesu.tickets.models import Category

HEADER_SEARCH_ROWS = 10  # ledgers often carry a title line or two above the header

# Fields copied onto the Ticket as they are (after translation).
TICKET_FIELDS = (
    "channel",
    "requester_name",
    "requester_phone",
    "requester_id_number",
    "requester_confidential",
    "kind",
    "urgency",
    "is_complex",
    "title",
    "content",
    "address",
    "assessment_scope",
    "is_sensitive",
    "is_monthly_topic",
    "is_repeat",
)
DEFAULTS: dict[str, Any] = {
    "channel": "phone",
    "kind": "other",
    "urgency": "normal",
    "assessment_scope": "full",
    "callback_valid": True,
}


@dataclass(slots=True)
class ImportRecord:
    """One valid row: what the ticket is, who handled it, and when each step happened."""

    row: int
    source: str
    external_number: str
    values: dict[str, Any]  # TICKET_FIELDS
    times: dict[str, datetime]  # only the timestamps the row has
    reply_text: str = ""
    district: Unit | None = None
    township: Unit | None = None
    community: Unit | None = None
    category: Category | None = None
    lead_unit: Unit | None = None
    assisting_units: list[Unit] = field(default_factory=list)
    returned: bool = False
    callback: dict[str, Any] = field(default_factory=dict)  # callback_valid / _contacted / _resolved / _satisfaction

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_number)


@dataclass(frozen=True)
class HeaderIndex:
    row: int  # the header's row number
    positions: dict[str, int]  # field → column index
    labels: dict[str, str]  # field → header text as in the file (for messages)


def _match_headers(cells: list[Cell], mapping: Mapping) -> dict[str, int]:
    folded = {fold(cell_text(c)): i for i, c in reversed(list(enumerate(cells))) if cell_text(c)}
    positions: dict[str, int] = {}
    for name, aliases in mapping.columns.items():
        for alias in aliases:
            if fold(alias) in folded:
                positions[name] = folded[fold(alias)]
                break
    return positions


def header_find(rows: Iterator[tuple[int, list[Cell]]], mapping: Mapping) -> HeaderIndex:
    """The first row (of the first few) that holds every required column."""
    first: tuple[int, list[Cell]] | None = None
    for number, cells in rows:
        if not any(cell_text(c) for c in cells):
            continue
        first = first or (number, cells)
        positions = _match_headers(cells, mapping)
        if all(name in positions for name in mapping.required):
            labels = {name: cell_text(cells[i]) for name, i in positions.items()}
            return HeaderIndex(row=number, positions=positions, labels=labels)
        if number >= first[0] + HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError("文件中没有任何数据（连表头都没有）")
    found = _match_headers(first[1], mapping)
    missing = [mapping.header_label(name) for name in mapping.required if name not in found]
    raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（映射「{mapping.name}」，表头在第 {first[0]} 行）")


Handler = Callable[["ImportRecord", str, Cell], None]


class RowParser:
    """Turns rows of one file into ImportRecords; one instance per import."""

    def __init__(
        self,
        *,
        mapping: Mapping,
        header: HeaderIndex,
        units: UnitLookup,
        categories: CategoryLookup,
        latest: datetime,
        source: str | None = None,
    ) -> None:
        self.mapping = mapping
        self.source = source
        self.header = header
        self.units = units
        self.categories = categories
        self.tables = ValueTables(mapping)
        self.latest = latest
        self.columns = [(name, i, self._handler(name)) for name, i in header.positions.items()]
        self.defaults = {
            name: DEFAULTS.get(name, False if FIELDS[name].kind is FieldType.BOOL else "") for name in TICKET_FIELDS
        }

    def parse(self, number: int, cells: list[Cell]) -> ImportRecord:
        """The record of row `number`, or RowRejectedError listing every bad cell."""
        record = ImportRecord(row=number, source="", external_number="", values=dict(self.defaults), times={})
        errors: list[RowError] = []
        width = len(cells)
        for name, index, handler in self.columns:
            cell = cells[index] if index < width else None
            if not cell:
                continue
            try:
                handler(record, name, cell)
            except (CellError, ResolveError) as exc:
                errors.append(RowError(number, self.header.labels[name], str(exc)))
        self._finish(record, errors)
        if errors:
            raise RowRejectedError(errors)
        return record

    def _handler(self, name: str) -> Handler:
        """The cell reader of one field, chosen once per file (rows are many, fields are few)."""
        kind = FIELDS[name].kind
        if kind is FieldType.DATETIME:
            zone, latest = self.mapping.timezone, self.latest

            def moment(record: ImportRecord, name: str, cell: Cell) -> None:
                if isinstance(cell, datetime) or (cell and cell.strip()):
                    record.times[name] = parse_moment(cell, zone, latest)

            return moment
        assign = _assigner(name)
        if kind is FieldType.CHOICE:
            choice = self.tables.choice

            def chosen(record: ImportRecord, name: str, cell: Cell) -> None:
                text = cell_text(cell)
                value = choice(name, text) if text else ""
                if value:  # an empty mapped value means "no value": the default applies
                    assign(record, value)

            return chosen
        convert = self._converter(name, kind)
        translate = self.tables.translate if name in self.tables.tables else None

        def other(record: ImportRecord, name: str, cell: Cell) -> None:
            text = cell_text(cell)
            if text and translate is not None:
                text = translate(name, text)
            if text:
                assign(record, convert(text))

        return other

    def _converter(self, name: str, kind: FieldType) -> Callable[[str], Any]:
        if kind is FieldType.TEXT:
            limit = FIELDS[name].max_length or 1 << 30

            def text(value: str) -> str:
                if len(value) > limit:
                    raise CellError(f"内容过长：最多 {limit} 个字，实际 {len(value)} 个字")
                return value

            return text
        if kind is FieldType.BOOL:
            return self.tables.boolean
        if kind is FieldType.UNIT:
            return self.units.resolve
        if kind is FieldType.UNITS:
            return self.units.resolve_many
        return self.categories.resolve

    def _finish(self, record: ImportRecord, errors: list[RowError]) -> None:
        record.source = self.source or record.source or self.mapping.source
        labels = self.header.labels
        for name in self.mapping.required:
            present = record.times.get(name) if FIELDS[name].kind is FieldType.DATETIME else _present(record, name)
            if not present and not any(e.column == labels[name] for e in errors):
                errors.append(RowError(record.row, labels[name], "必填项为空"))
        if record.assisting_units and record.lead_unit is None and "assisting_units" in labels:
            errors.append(RowError(record.row, labels.get("lead_unit", "主办单位"), "填写了协办单位但没有主办单位"))


def _assigner(name: str) -> Callable[[ImportRecord, Any], None]:
    """Where a field's value goes in the record."""
    if name in TICKET_FIELDS:
        return lambda record, value: record.values.__setitem__(name, value)
    if name.startswith("callback_"):
        return lambda record, value: record.callback.__setitem__(name, value)
    return lambda record, value: setattr(record, name, value)


def _present(record: ImportRecord, name: str) -> bool:
    value = record.values.get(name) if name in record.values else getattr(record, name, None)
    return bool(value)


def is_blank(cells: list[Cell]) -> bool:
    return not any(c is not None and (isinstance(c, datetime) or c.strip()) for c in cells)
