"""Assessment-scope rules, and the tickets behind every number (drill-down)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.selectors import (
    indicator_denominator_tickets,
    indicator_numerator_terms,
    indicator_numerator_tickets,
    kpi_tally,
    numerator_value,
)
from jiesu.kpi.tests.support import at, build_march_ledger, ticket
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope
from jiesu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
MARCH = window_of_days(date(2024, 3, 1), date(2024, 3, 31))
COEFFICIENT = Decimal("0.9")


def overall() -> dict[str, tuple[Decimal, int]]:
    [group] = kpi_tally(window=MARCH)
    return {
        code: (numerator_value(INDICATORS[code], tally, COEFFICIENT), tally.denominator)
        for code, tally in group.tallies.items()
    }


@pytest.mark.parametrize("scope", [AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY])
def test_an_exclusion_never_changes_a_numerator_without_its_denominator(world: World, scope: str) -> None:
    tickets = build_march_ledger(world)
    for name, flipped in tickets.items():
        if flipped.assessment_scope != AssessmentScope.FULL:
            continue
        before = overall()
        Ticket.objects.filter(pk=flipped.pk).update(assessment_scope=scope)
        after = overall()
        Ticket.objects.filter(pk=flipped.pk).update(assessment_scope=AssessmentScope.FULL)
        for code, (numerator, denominator) in before.items():
            if code == "volume":
                assert after[code] == before[code], "volume counts every ticket"
                continue
            new_numerator, new_denominator = after[code]
            if scope == AssessmentScope.RESPONSE_ONLY and code == "response_rate":
                assert after[code] == before[code], name
                continue
            assert new_numerator <= numerator and new_denominator <= denominator
            if new_numerator != numerator:
                assert new_denominator != denominator, (name, code)
            assert denominator - new_denominator in (0, 1), (name, code)


def test_response_only_tickets_count_for_the_response_rate_only(world: World) -> None:
    tickets = build_march_ledger(world)
    d = tickets["D"]
    for code in INDICATORS:
        denominators = indicator_denominator_tickets(code=code, window=MARCH)
        assert denominators.filter(pk=d.pk).exists() == (code in {"response_rate", "volume"}), code


def test_excluded_tickets_count_only_in_the_volume(world: World) -> None:
    e = build_march_ledger(world)["E"]
    for code in INDICATORS:
        assert indicator_denominator_tickets(code=code, window=MARCH).filter(pk=e.pk).exists() == (code == "volume")


@pytest.mark.parametrize("by", Grouping.values)
def test_the_drill_down_lists_add_up_to_the_numbers(world: World, by: str) -> None:
    build_march_ledger(world)
    groups = kpi_tally(window=MARCH, by=by)
    assert groups
    for group in groups:
        for code, tally in group.tallies.items():
            ind = INDICATORS[code]
            denominator = indicator_denominator_tickets(code=code, window=MARCH, by=by, key=group.key)
            if ind.is_rate:
                assert denominator.count() == tally.denominator, (group.key, code)
            terms = indicator_numerator_terms(code=code, window=MARCH, by=by, key=group.key)
            from_lists = sum((Decimal(qs.count()) * (COEFFICIENT if scaled else 1) for scaled, qs in terms), Decimal(0))
            assert from_lists == numerator_value(ind, tally, COEFFICIENT), (group.key, code)
            numerator = indicator_numerator_tickets(code=code, window=MARCH, by=by, key=group.key)
            assert set(numerator.values_list("pk", flat=True)) <= set(denominator.values_list("pk", flat=True))


def test_the_drill_down_names_the_tickets_behind_the_resolution_rate(world: World) -> None:
    tickets = build_march_ledger(world)
    numerator = indicator_numerator_tickets(code="resolution_rate", window=MARCH)
    denominator = indicator_denominator_tickets(code="resolution_rate", window=MARCH)
    assert set(numerator) == {tickets["A"], tickets["C"]}
    assert set(denominator) == {tickets["A"], tickets["B"], tickets["C"]}


def test_a_unit_without_a_code_is_keyed_and_drilled_by_its_id(world: World) -> None:
    office = unit_create(name="无编码科室", kind=UnitKind.OFFICE, parent=world.center)
    mine = ticket(world, received_at=at(3, 5), lead_unit=office)
    [group] = [g for g in kpi_tally(window=MARCH, by=Grouping.UNIT) if g.name == "无编码科室"]
    assert group.key == str(office.pk)
    volume = indicator_numerator_tickets(code="volume", window=MARCH, by=Grouping.UNIT, key=group.key)
    assert list(volume) == [mine]
