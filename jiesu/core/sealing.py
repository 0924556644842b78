"""Every sealed column of every model: counting values per key, and re-sealing under the active key.

Columns are found through the app registry, so core needs to know no app:
- every `SealedCharField` (associated data "<table>.<column>", base64 text);
- raw bytes columns a model lists in a ``sealed_fields`` class attribute, mapping the field name to
  the template of its associated data over the row's columns (e.g. ``{"secret_sealed":
  "totp:{user_id}"}``);
- a `PhoneDigestField` whose source is a sealed column is recomputed with it, and filled where an
  older writer left it empty.

Rows are read and written with plain SQL (the ORM would open every value on the way in), in
batches of `batch_size` rows per transaction. Each UPDATE is conditional on the values it read, so
a row changed meanwhile by the application is left alone and counted; running again finishes the
job, as it skips whatever is already sealed under the active key.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from jiesu.core.crypto import DecryptionFailed, sealed_key_id
from jiesu.core.fields import PhoneDigestField, SealedCharField, sealed_bytes, sealed_context, sealed_text
from jiesu.core.keyring import Keyring, UnknownKey, keyring

SEALED_FIELDS_ATTRIBUTE = "sealed_fields"
BATCH_SIZE = 1000
Row = dict[str, Any]


@dataclass(frozen=True)
class SealedColumn:
    """One sealed column and how its associated data is made."""

    model: type[models.Model]
    field: models.Field  # type: ignore[type-arg]
    template: str | None = None  # None: "<table>.<column>"

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def binary(self) -> bool:
        return not isinstance(self.field, SealedCharField)

    @property
    def context_names(self) -> tuple[str, ...]:
        if self.template is None:
            return ()
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.template) if name)

    def context(self, row: Mapping[str, Any]) -> bytes:
        if self.template is None:
            return sealed_context(self.model._meta.db_table, self.field.column)
        return self.template.format(**{name: row[name] for name in self.context_names}).encode()

    def decode(self, raw: Any) -> bytes:
        return bytes(raw) if self.binary else sealed_bytes(raw)

    def encode(self, sealed: bytes) -> Any:
        return sealed if self.binary else sealed_text(sealed)


def _concrete(model: type[models.Model], name: str) -> models.Field:  # type: ignore[type-arg]
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field


def _column(model: type[models.Model], name: str) -> str:
    column = _concrete(model, name).column
    assert column is not None
    return column


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of every installed model."""
    found: list[SealedColumn] = []
    for model in apps.get_models():
        found += [SealedColumn(model, f) for f in model._meta.concrete_fields if isinstance(f, SealedCharField)]
        for name, template in getattr(model, SEALED_FIELDS_ATTRIBUTE, {}).items():
            found.append(SealedColumn(model, _concrete(model, name), template))
    return found


@dataclass
class _ModelJob:
    """The sealed columns of one model, and its digests of them."""

    model: type[models.Model]
    columns: list[SealedColumn]
    digests: list[PhoneDigestField]

    def names(self) -> list[str]:
        """Attnames to read: the sealed columns, what their associated data needs, the digests."""
        sealed = [c.field.attname for c in self.columns]
        extra = [n for c in self.columns for n in c.context_names]
        return list(dict.fromkeys([*sealed, *extra, *(d.attname for d in self.digests)]))

    def source_of(self, digest: PhoneDigestField) -> SealedColumn:
        return next(c for c in self.columns if c.field.name == digest.source)


def _jobs() -> list[_ModelJob]:
    by_model: dict[type[models.Model], list[SealedColumn]] = {}
    for column in sealed_columns():
        by_model.setdefault(column.model, []).append(column)
    jobs = []
    for model, columns in by_model.items():
        sources = {c.field.name for c in columns}
        digests = [f for f in model._meta.concrete_fields if isinstance(f, PhoneDigestField) and f.source in sources]
        jobs.append(_ModelJob(model, columns, digests))
    return jobs


def _batches(model: type[models.Model], names: list[str], batch_size: int) -> Iterator[list[Row]]:
    """The rows of `model` (primary key and `names`, by attname) in primary-key order, a batch at a time."""
    quote = connection.ops.quote_name
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = ", ".join(quote(_column(model, n)) for n in [pk.attname, *names])
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(pk.column)} > %s ORDER BY {quote(pk.column)}"  # noqa: S608 - names from the model
    after: Any = -(2**62)
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s", [after, batch_size])
            rows = [dict(zip(["pk", *names], values, strict=True)) for values in cursor.fetchall()]
            if not rows:
                return
            yield rows
        after = rows[-1]["pk"]


def _blank(raw: Any) -> bool:
    return raw is None or len(raw) == 0


# --- status ---


def _key_label(ring: Keyring, column: SealedColumn, row: Row) -> tuple[str, bool]:
    """How the value of `column` in `row` is sealed, and whether the ring can open it."""
    try:
        sealed = column.decode(row[column.field.attname])
        kid = sealed_key_id(sealed)
    except DecryptionFailed:
        return "无法识别的值", False
    if kid is not None:
        return ring.key_label(kid), kid in ring.by_id
    opened = ring.open_legacy(sealed, column.context(row))
    if opened is None:
        return "旧格式（0x01），任何已配置密钥都无法解开", False
    return f"旧格式（0x01），{ring.key_label(opened[0].key_id)}", True


@dataclass
class SealedStatus:
    """Values per column and key; `unreadable` counts those no configured key opens."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    unreadable: int = 0


def sealed_status(*, batch_size: int = BATCH_SIZE) -> SealedStatus:
    """How many values of each sealed column are under which key (read from the key ids)."""
    ring, status = keyring(), SealedStatus()
    for job in _jobs():
        for column in job.columns:
            status.counts[column.label] = Counter()
        for rows in _batches(job.model, job.names(), batch_size):
            for row in rows:
                for column in job.columns:
                    counts = status.counts[column.label]
                    if _blank(row[column.field.attname]):
                        counts["空值（未加密）"] += 1
                        continue
                    label, readable = _key_label(ring, column, row)
                    counts[label] += 1
                    if not readable:
                        status.unreadable += 1
    return status


# --- rotation ---


@dataclass
class RotationReport:
    """What `sealed_rotate` did; `failures` name values no configured key opens."""

    rows: int = 0
    resealed: Counter[str] = field(default_factory=Counter)
    digests: Counter[str] = field(default_factory=Counter)
    changed_meanwhile: int = 0
    failures: list[str] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "resealed": dict(self.resealed),
            "digests": dict(self.digests),
            "changed_meanwhile": self.changed_meanwhile,
            "failures": len(self.failures),
        }


def _reseal_row(ring: Keyring, job: _ModelJob, row: Row) -> tuple[dict[str, Any], dict[str, bytes]]:
    """New raw values of the columns to re-seal, and the plaintexts opened on the way."""
    changes: dict[str, Any] = {}
    opened: dict[str, bytes] = {}
    for column in job.columns:
        name = column.field.attname
        if _blank(row[name]):
            continue
        sealed = column.decode(row[name])
        if ring.is_current(sealed):
            continue
        context = column.context(row)
        opened[name] = ring.open(sealed, context)
        changes[name] = column.encode(ring.seal(opened[name], context))
    return changes, opened


def _digest_changes(ring: Keyring, job: _ModelJob, row: Row, opened: dict[str, bytes]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for digest in job.digests:
        source = job.source_of(digest)
        name = source.field.attname
        if _blank(row[name]):
            expected = ""
        elif name in opened or not row[digest.attname]:
            plain = opened.get(name)
            if plain is None:
                plain = ring.open(source.decode(row[name]), source.context(row))
            expected = ring.phone_digest(plain.decode())
        else:
            continue
        if expected != row[digest.attname]:
            changes[digest.attname] = expected
    return changes


def _update(model: type[models.Model], row: Row, changes: dict[str, Any]) -> bool:
    """UPDATE the row only if the changed columns still hold what was read."""
    quote, meta = connection.ops.quote_name, model._meta
    assert meta.pk is not None
    column = {name: quote(_column(model, name)) for name in changes}
    sets = ", ".join(f"{column[n]} = %s" for n in changes)
    guards = " AND ".join(f"{column[n]} = %s" for n in changes)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s AND {guards}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*changes.values(), row["pk"], *(row[n] for n in changes)])
        return bool(cursor.rowcount == 1)


def _failure_text(exc: DecryptionFailed) -> str:
    if isinstance(exc, UnknownKey):
        return "加密它的密钥未配置"
    return "校验未通过（值被篡改，或复制自其他字段）"


def _rotate_row(ring: Keyring, job: _ModelJob, row: Row, report: RotationReport) -> None:
    label = job.model._meta.label
    try:
        changes, opened = _reseal_row(ring, job, row)
        digests = _digest_changes(ring, job, row, opened)
    except DecryptionFailed as exc:
        report.failures.append(f"{label} 第 {row['pk']} 行：{_failure_text(exc)}")
        return
    if not (changes or digests):
        return
    if not _update(job.model, row, {**changes, **digests}):
        report.changed_meanwhile += 1
        return
    for name in changes:
        report.resealed[f"{label}.{name}"] += 1
    for name in digests:
        report.digests[f"{label}.{name}"] += 1


Progress = Callable[[str, RotationReport], None]


def sealed_rotate(*, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> RotationReport:
    """Re-seal every value not yet under the active key, and bring phone digests up to date.

    `progress(model label, report so far)` is called after each batch, inside its transaction:
    if it raises, that batch is rolled back and the earlier ones stay done."""
    ring, report = keyring(), RotationReport()
    for job in _jobs():
        for rows in _batches(job.model, job.names(), batch_size):
            report.rows += len(rows)
            for row in rows:
                _rotate_row(ring, job, row, report)
            if progress is not None:
                progress(job.model._meta.label, report)
    return report
