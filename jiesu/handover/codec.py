"""Column values to JSON and back, for any field, through the fields' own conversions.

Values are read with the ORM (so encrypted fields arrive as plaintext) and written back through
`Field.to_python` and the insert's `get_db_prep_save` (so they are sealed again under the target
instance's key). Datetimes become ISO-8601 with their offset, decimals strings, binary base64;
JSON columns stay JSON, with sorted keys so that both databases export the same bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models
from django.utils.duration import duration_iso_string

from jiesu.handover.errors import HandoverRefused
from jiesu.handover.registry import NATURAL_KEY_MODELS, label_of

_PLAIN = (str, int, float, bool, type(None))


def _sorted_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _sorted_json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def encode_value(value: Any) -> Any:
    """A JSON-ready form of one column value (by its Python type, so custom fields need no case)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, dict | list):
        return _sorted_json(value)
    raise TypeError(f"cannot export a {type(value).__name__}")


def natural_key_field(field: models.Field[Any, Any]) -> bool:
    related = field.related_model
    return bool(field.is_relation and related is not None and label_of(related) in NATURAL_KEY_MODELS)  # type: ignore[arg-type]


def natural_keys_by_pk(model: type[models.Model]) -> dict[Any, list[Any]]:
    """pk → natural key for the rows every instance creates for itself (content types, permissions)."""
    return {obj.pk: list(obj.natural_key()) for obj in model._base_manager.select_related()}  # type: ignore[attr-defined]


def pks_by_natural_key(model: type[models.Model]) -> dict[tuple[Any, ...], Any]:
    return {tuple(obj.natural_key()): obj.pk for obj in model._base_manager.select_related()}  # type: ignore[attr-defined]


Decoder = Callable[[Any], Any]


def field_decoder(field: models.Field[Any, Any], natural: dict[str, dict[tuple[Any, ...], Any]]) -> Decoder:
    """How to turn one exported value back into what the field holds."""
    if natural_key_field(field):
        related = label_of(field.related_model)  # type: ignore[arg-type]
        table = natural.setdefault(related, pks_by_natural_key(apps.get_model(related)))

        def by_natural_key(value: Any) -> Any:
            if value is None:
                return None
            try:
                return table[tuple(value)]
            except KeyError as exc:
                raise HandoverRefused(f"目标实例中没有 {related} {'.'.join(map(str, value))}") from exc

        return by_natural_key
    if isinstance(field, models.JSONField):
        return lambda value: value

    def to_python(value: Any) -> Any:
        return None if value is None else field.to_python(value)

    return to_python
