"""`json_text`: the COPY importer's JSON, the same values as `json.dumps`, in COPY's text escaping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from jiesu.tickets.importing.copyrows import NULL, json_text

PAYLOADS: list[Any] = [
    {},
    {"channel": "phone", "source": "12345", "imported": True, "external_number": "A-001"},
    {"lead_unit_id": 7, "assisting_unit_ids": [8, 9]},
    {"unit_id": None, "on_time": False, "satisfaction": "基本满意"},
    {"note": "第一行\n第二行\t制表\\反斜杠\r", "quote": '"引号"', "emoji": "😀", "ratio": 0.5},
    [1, "二", None, {"nested": ["x"]}],
]


def _unescape_copy(text: str) -> str:
    """COPY text format back to the value (the four escapes copy_text writes)."""
    pairs = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
    out, index = [], 0
    while index < len(text):
        if text[index] == "\\":
            out.append(pairs[text[index : index + 2]])
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_text_decodes_to_the_value_json_dumps_writes(payload: Any) -> None:
    text = json_text()(payload)
    assert "\t" not in text and "\n" not in text  # one COPY field
    assert json.loads(_unescape_copy(text)) == json.loads(json.dumps(payload))


def test_the_field_encoder_is_used_and_none_is_null() -> None:
    encode = json_text(DjangoJSONEncoder)
    value = {"at": datetime(2024, 4, 15, 0, 30, tzinfo=UTC), "amount": Decimal("1.50")}
    assert json.loads(_unescape_copy(encode(value))) == json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    assert encode(None) == NULL
    with pytest.raises(TypeError):
        json_text()({"at": datetime(2024, 4, 15, tzinfo=UTC)})


class _Upper(json.JSONEncoder):
    """An encoder that encodes its own way: json_text must go through it, not around it."""

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        return (chunk.upper() for chunk in super().iterencode(o, _one_shot))


def test_an_encoder_with_its_own_iterencode_is_respected() -> None:
    assert json_text(_Upper)({"a": "b"}) == '{"A": "B"}'
