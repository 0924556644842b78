"""Compare, ranking, trend and target gaps, worked out by hand on small ledgers."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.kpi.analysis import _assign_ranks, kpi_compare, kpi_ranking, kpi_trend
from jiesu.kpi.choices import Grouping
from jiesu.kpi.errors import UnknownIndicator
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.tests.support import at, build_march_ledger, callback, ticket
from jiesu.kpi.windows import period_containing
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.choices import Satisfaction

pytestmark = pytest.mark.django_db
START, END = date(2024, 3, 1), date(2024, 3, 31)


def test_compare_with_the_previous_month_and_a_year_earlier(world: World) -> None:
    build_march_ledger(world)
    result = kpi_compare(scheme_code="beijing-3rates", start=START, end=END)
    assert (result["previous"]["from"], result["previous"]["to"]) == ("2024-02-01", "2024-02-29")
    assert (result["year_earlier"]["from"], result["year_earlier"]["to"]) == ("2023-03-01", "2023-03-31")
    # February holds only G: every rate 1/1, score 100. March: 1, 2/3, 1.9/3, score 68.67.
    changes = result["changes"]["all"]
    assert changes["response_rate"] == {"mom": 0, "yoy": None}
    assert changes["resolution_rate"]["mom"] == pytest.approx(-0.333333)
    assert changes["satisfaction_rate"]["mom"] == pytest.approx(-0.366667)
    # counts change relatively: 7 received against 1 → +600 %; none a year earlier → not applicable
    assert changes["volume"] == {"mom": 6.0, "yoy": None}
    assert result["score_changes"]["all"] == {"mom": pytest.approx(-31.33), "yoy": None}


def test_compare_before_the_scheme_existed_has_nothing_to_compare_with(world: World) -> None:
    result = kpi_compare(scheme_code="beijing-3rates", start=date(2019, 1, 1), end=date(2019, 1, 31))
    assert result["previous"] is None and result["year_earlier"] is None
    assert result["changes"]["all"]["response_rate"] == {"mom": None, "yoy": None}


def _unit_ledger(world: World) -> dict[str, Unit]:
    """U1, U2: 2 tickets each, all resolved and satisfied (score 100); U2 returned one. U3: 4
    tickets, 3 resolved and satisfied, 1 unresolved and dissatisfied (score 10 + 37.5 + 30 =
    77.5), one returned. U4: 1 ticket, score 100, below any minimum volume of 2."""
    units = {name: unit_create(name=name, kind=UnitKind.DEPARTMENT, code=name) for name in ("U1", "U2", "U3", "U4")}
    good = callback(True, True, True, Satisfaction.SATISFIED)
    bad = callback(True, True, False, Satisfaction.DISSATISFIED)
    plan = {"U1": [good, good], "U2": [good, good], "U3": [good, good, good, bad], "U4": [good]}
    returned = {("U2", 0), ("U3", 3)}
    for name, callbacks in plan.items():
        for i, facts in enumerate(callbacks):
            ticket(
                world,
                lead_unit=units[name],
                received_at=at(3, 5 + i),
                dispatched_at=at(3, 5 + i, 10),
                return_count=1 if (name, i) in returned else 0,
                **facts,
            )
    return units


def test_ranking_by_score_shares_ranks_and_keeps_small_units_out(world: World) -> None:
    _unit_ledger(world)
    ranking = kpi_ranking(scheme_code="beijing-3rates", start=START, end=END, by=Grouping.UNIT, min_volume=2)
    assert [(e["rank"], e["key"], e["value"], e["volume"]) for e in ranking["ranked"]] == [
        (1, "U1", 100, 2),
        (1, "U2", 100, 2),
        (3, "U3", 77.5, 4),
    ]
    assert [(e["rank"], e["key"]) for e in ranking["unranked"]] == [(None, "U4")]
    assert ranking["order_by"] == "score" and ranking["min_volume"] == 2


def test_ranking_by_return_rate_puts_the_lowest_first(world: World) -> None:
    _unit_ledger(world)
    ranking = kpi_ranking(
        scheme_code="beijing-3rates", start=START, end=END, by=Grouping.UNIT, order_by="return_rate", min_volume=2
    )
    assert [(e["rank"], e["key"], e["value"]) for e in ranking["ranked"]] == [
        (1, "U1", 0),
        (2, "U3", 0.25),
        (3, "U2", 0.5),
    ]
    assert ranking["ranked"][1]["score"] == 77.5


def test_the_default_minimum_volume_is_scheme_data(world: World) -> None:
    _unit_ledger(world)
    ranking = kpi_ranking(scheme_code="beijing-3rates", start=START, end=END, by=Grouping.UNIT)
    assert ranking["min_volume"] == 10 and ranking["ranked"] == []
    assert [e["key"] for e in ranking["unranked"]] == ["U3", "U1", "U2", "U4"]  # by volume, then key


def test_ranking_by_an_unknown_indicator_is_refused(world: World) -> None:
    with pytest.raises(UnknownIndicator):
        kpi_ranking(scheme_code="beijing-3rates", start=START, end=END, order_by="beauty")


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=12), st.booleans())
def test_ranks_are_monotone_and_ties_share_them(values: list[int], descending: bool) -> None:
    entries = [{"key": f"k{i:02d}", "value": v} for i, v in enumerate(values)]
    ranked = _assign_ranks(entries, descending)
    for before, after in pairwise(ranked):
        assert (before["value"] >= after["value"]) if descending else (before["value"] <= after["value"])
        assert before["rank"] <= after["rank"]
        assert (before["rank"] == after["rank"]) == (before["value"] == after["value"])
    for position, entry in enumerate(ranked, start=1):
        assert (
            entry["rank"]
            == 1
            + sum(
                1
                for other in ranked
                if (other["value"] > entry["value"] if descending else other["value"] < entry["value"])
            )
            and entry["rank"] <= position
        )


def test_trend_over_three_months(world: World) -> None:
    build_march_ledger(world)
    last = period_containing("beijing-3rates", date(2024, 3, 31))
    trend = kpi_trend(scheme_code="beijing-3rates", last=last, count=3, codes=["volume", "resolution_rate"])
    assert [p["label"] for p in trend] == ["2024年1月", "2024年2月", "2024年3月"]
    assert [p["score"] for p in trend] == [None, 100, 68.67]
    assert [p["indicators"]["volume"]["value"] for p in trend] == [0, 1, 7]
    assert set(trend[2]["indicators"]) == {"volume", "resolution_rate"}
    assert trend[2]["from"] == "2024-03-01" and trend[2]["to"] == "2024-03-31"


def test_target_gaps_are_negative_when_short(world: World) -> None:
    build_march_ledger(world)
    [group] = kpi_evaluate(scheme_code="civil-affairs-contract", start=START, end=END)["groups"]
    gaps = {t["indicator"]: (t["gap"], t["met"]) for t in group["targets"]}
    assert gaps["response_rate"] == (0, True)  # 4/4 against 100 %
    assert gaps["resolution_rate"] == (pytest.approx(2 / 3 - 0.9, abs=1e-6), False)
    assert gaps["satisfaction_rate"] == (pytest.approx(1.9 / 3 - 0.95, abs=1e-6), False)


def test_an_at_most_target_gap_is_threshold_minus_value(world: World) -> None:
    from decimal import Decimal

    from jiesu.kpi.scoring import ItemRule, target_checks

    rule = ItemRule("target", "return_rate", Decimal(0), {"threshold": "0.20", "direction": "at_most"})
    [check] = target_checks([rule], {"return_rate": Decimal("0.25")})
    assert check.gap == Decimal("-0.05") and check.met is False
    [check] = target_checks([rule], {"return_rate": None})
    assert check.gap is None and check.met is None


def test_results_per_agent(world: World) -> None:
    build_march_ledger(world)
    ticket(world, received_at=at(3, 6), created_by=world.agent)
    ticket(world, received_at=at(3, 7), created_by=world.agent)
    ticket(world, received_at=at(3, 8) + timedelta(hours=1), created_by=world.shift_lead)
    groups = {
        g["key"]: g
        for g in kpi_evaluate(scheme_code="beijing-3rates", start=START, end=END, by=Grouping.AGENT)["groups"]
    }
    assert groups["agent"]["indicators"]["volume"]["value"] == 2
    assert groups["agent"]["name"] == "agent"
    assert groups["lead"]["indicators"]["volume"]["value"] == 1
    assert groups["none"]["indicators"]["volume"]["value"] == 7  # the ledger's tickets have no agent
