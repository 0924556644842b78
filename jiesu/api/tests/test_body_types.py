"""JSON bodies: ids are integers and time filters are strings, never what pydantic's lax mode
would turn into them (true → 1, "2" → 2, 0 → 1970-01-01)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from jiesu.api.bulk import BulkIn
from jiesu.api.schemas import ActionIn, TicketFilterIn


@pytest.mark.parametrize("value", [True, "3"])
def test_a_body_id_refuses_booleans_and_strings(value: object) -> None:
    with pytest.raises(ValidationError, match="应为整数"):
        BulkIn.model_validate({"action": "dispatched", "numbers": ["1"], "lead_unit_id": value})
    with pytest.raises(ValidationError, match="应为整数"):
        ActionIn.model_validate({"category_id": value})


def test_a_body_id_takes_json_integers_including_a_whole_float() -> None:
    assert BulkIn.model_validate({"action": "dispatched", "numbers": ["1"], "lead_unit_id": 7}).lead_unit_id == 7
    assert ActionIn.model_validate({"assisting_unit_ids": [2.0, 3]}).assisting_unit_ids == [2, 3]


def test_a_time_filter_refuses_a_number_but_reads_a_string() -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        TicketFilterIn.model_validate({"deadline_to": 0})
    parsed = TicketFilterIn.model_validate({"received_from": "2026-11-01T08:00:00+08:00"})
    assert parsed.received_from == datetime.fromisoformat("2026-11-01T08:00:00+08:00")
