"""Scores, targets and payment: the preset schemes' vectors and properties of the arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiesu.kpi.choices import Direction, ItemKind
from jiesu.kpi.errors import UnknownScheme
from jiesu.kpi.evaluation import scheme_rules
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.models import AssessmentScheme, SchemeItem
from jiesu.kpi.scoring import ItemRule, item_points, payment_share, scheme_score, target_checks
from jiesu.kpi.selectors import scheme_in_force

D = Decimal
YANTA_PAYMENT = {"full_at": 90, "per_point": "0.01", "floor_below": 80, "floor_share": "0.8"}
BEIJING = [
    ItemRule(ItemKind.WEIGHTED_RATE, "response_rate", D(10), {"weight": "0.10"}),
    ItemRule(ItemKind.WEIGHTED_RATE, "resolution_rate", D(50), {"weight": "0.50"}),
    ItemRule(ItemKind.WEIGHTED_RATE, "satisfaction_rate", D(40), {"weight": "0.40"}),
]
YANTA_ACK = ItemRule(
    ItemKind.THRESHOLD_DEDUCTION, "on_time_acknowledge_rate", D(10), {"threshold": "0.90", "per_point": 1}
)
YANTA_COMPLETION = ItemRule(
    ItemKind.THRESHOLD_DEDUCTION, "on_time_completion_rate", D(20), {"threshold": "0.95", "per_point": 2}
)
YANTA_RETURN = ItemRule(
    ItemKind.THRESHOLD_DEDUCTION,
    "return_rate",
    D(20),
    {"threshold": "0.20", "per_point": 2, "direction": Direction.AT_MOST},
)


def test_the_yanta_vectors_of_the_domain_rules() -> None:
    # docs/domain-rules.md §13.4: acknowledgement 87 % → 7; return rate 23 % → 14; on-time 91 % → 12
    assert item_points(YANTA_ACK, D("0.87")) == 7
    assert item_points(YANTA_RETURN, D("0.23")) == 14
    assert item_points(YANTA_COMPLETION, D("0.91")) == 12
    # at or beyond the threshold: full points; far below: floor 0
    assert item_points(YANTA_ACK, D("0.95")) == 10
    assert item_points(YANTA_RETURN, D("0.05")) == 20
    assert item_points(YANTA_ACK, D("0.50")) == 0
    # nothing due in the window: nothing to deduct
    assert item_points(YANTA_ACK, None) == 10


def test_the_yanta_payment_rule() -> None:
    # total 85 → 5 % deducted; total 90 → full; total 79 → 80 % paid
    assert payment_share(D(85), YANTA_PAYMENT) == D("0.95")
    assert payment_share(D(90), YANTA_PAYMENT) == 1
    assert payment_share(D(79), YANTA_PAYMENT) == D("0.8")
    assert payment_share(D(80), YANTA_PAYMENT) == D("0.90")
    assert payment_share(None, YANTA_PAYMENT) is None
    assert payment_share(D(85), {}) is None


def test_the_beijing_composite_score() -> None:
    # (0.10 × 1 + 0.50 × 0.8 + 0.40 × 0.9) × 100 = 10 + 40 + 36 = 86
    rates = {"response_rate": D(1), "resolution_rate": D("0.8"), "satisfaction_rate": D("0.9")}
    assert scheme_score(BEIJING, rates, 2) == D("86.00")
    assert scheme_score(BEIJING, rates | {"resolution_rate": None}, 2) is None
    assert scheme_score([], rates, 2) is None


def test_targets_are_checked_in_their_direction() -> None:
    rules = [
        ItemRule(ItemKind.TARGET, "resolution_rate", D(0), {"threshold": "0.90"}),
        ItemRule(ItemKind.TARGET, "return_rate", D(0), {"threshold": "0.20", "direction": Direction.AT_MOST}),
        ItemRule(ItemKind.TARGET, "response_rate", D(0), {"threshold": "1"}),
    ]
    rates = {"resolution_rate": D("0.90"), "return_rate": D("0.25"), "response_rate": None}
    assert [c.met for c in target_checks(rules, rates)] == [True, False, None]


rates_strategy = st.decimals(min_value=0, max_value=1, places=4)


@pytest.mark.django_db
def test_the_presets_are_seeded_with_their_items() -> None:
    codes = set(AssessmentScheme.objects.values_list("code", flat=True))
    assert {"beijing-3rates", "civil-affairs-contract", "panjin", "yanta-quarterly"} <= codes
    yanta = scheme_in_force(code="yanta-quarterly", on=date(2025, 4, 1))
    assert sum(i.max_points for i in yanta.items.all()) == 100
    for item in SchemeItem.objects.exclude(indicator_code=""):
        assert item.indicator_code in INDICATORS, item.indicator_code
    beijing = scheme_in_force(code="beijing-3rates", on=date(2024, 3, 1))
    assert beijing.fairly_satisfied_coefficient == D("0.9")
    rates = {"response_rate": D(1), "resolution_rate": D("0.8"), "satisfaction_rate": D("0.9")}
    assert scheme_score(scheme_rules(beijing), rates, beijing.score_decimal_places) == D("86.00")


@pytest.mark.django_db
def test_a_new_version_takes_over_from_its_effective_date() -> None:
    old = scheme_in_force(code="beijing-3rates", on=date(2025, 1, 1))
    AssessmentScheme.objects.create(code="beijing-3rates", version=2, name="新权重", effective_from=date(2025, 1, 1))
    assert scheme_in_force(code="beijing-3rates", on=date(2024, 12, 31)) == old
    assert scheme_in_force(code="beijing-3rates", on=date(2025, 1, 1)).version == 2
    with pytest.raises(UnknownScheme):
        scheme_in_force(code="beijing-3rates", on=date(2018, 12, 31))
    with pytest.raises(UnknownScheme):
        scheme_in_force(code="nope", on=date(2025, 1, 1))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_rate_is_a_fraction_between_zero_and_one(data: st.DataObject) -> None:
    for ind in INDICATORS.values():
        if not ind.is_rate:
            continue
        denominator = data.draw(st.integers(0, 500))
        # the numerator terms are disjoint subsets of the denominator
        counts, left = [], denominator
        for _ in ind.numerator:
            n = data.draw(st.integers(0, left))
            counts.append(n)
            left -= n
        coefficient = data.draw(rates_strategy)
        value = ind.value(ind.numerator_from(counts, coefficient), denominator)
        if denominator == 0:
            assert value is None
        else:
            assert value is not None and 0 <= value <= 1


YANTA = [
    YANTA_ACK,
    ItemRule(ItemKind.THRESHOLD_DEDUCTION, "on_time_reply_rate", D(10), {"threshold": "0.90", "per_point": 1}),
    YANTA_COMPLETION,
    YANTA_RETURN,
    ItemRule(ItemKind.ADJUSTMENT, "", D(20), {"base": 20, "min": 0, "max": 20}),
]
SCORED = sorted({r.indicator_code for r in BEIJING + YANTA if r.indicator_code})


@settings(max_examples=150, deadline=None)
@given(
    rates=st.fixed_dictionaries(dict.fromkeys(SCORED, rates_strategy)), code=st.sampled_from(SCORED), up=rates_strategy
)
def test_scores_are_monotone_in_each_rate(rates: dict[str, Decimal], code: str, up: Decimal) -> None:
    higher = rates | {code: max(rates[code], up)}
    lower_is_better = code == "return_rate"
    for rules in (BEIJING, YANTA):
        before, after = scheme_score(rules, rates, 2), scheme_score(rules, higher, 2)
        assert before is not None and after is not None
        assert (after <= before) if lower_is_better else (after >= before)
        assert 0 <= after <= 100
