"""The API's ticket filters as a TicketSearch: references resolved once, by code or by id."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.api.filters import ticket_search_from
from jiesu.api.schemas import TicketFilterIn
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def test_a_unit_is_resolved_once_with_its_path(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        search = ticket_search_from(TicketFilterIn(lead_unit=world.district.code))  # type: ignore[call-arg]
    assert (search.lead_unit_id, search.lead_unit_path) == (world.district.pk, world.district.path)
    by_id = ticket_search_from(TicketFilterIn(lead_unit=str(world.township.pk), township=world.township.code))  # type: ignore[call-arg]
    assert (by_id.lead_unit_id, by_id.lead_unit_path) == (world.township.pk, world.township.path)
    assert by_id.township_id == world.township.pk


def test_an_unknown_reference_names_its_field(world: World) -> None:
    with pytest.raises(ValidationFailed, match="主办单位不存在：nope") as refused:
        ticket_search_from(TicketFilterIn(lead_unit="nope"))  # type: ignore[call-arg]
    assert refused.value.details == {"field": "lead_unit"}
