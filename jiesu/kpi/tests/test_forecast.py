"""The period-end forecast, worked out by hand.

History (January–March 2024, the March ledger of support.py plus G in February), pooled:
resolution 3/4, satisfaction (1.9 + 1)/4 = 0.725, response 5/5; on-time reply and on-time
completion 2/3 (A and G on time, B late); completion 5/6 (A B C G H closed in time, F after).
April, looked at on 10 April:
| P1 | received 04-02, closed 04-05, valid callback: contacted, resolved, satisfied |
| P2 | received 04-03, reply due 04-20: open, not yet due, no callback |
| P3 | received 04-03, reply due 04-08: open and overdue, no callback |
F of the March ledger closed on 04-02 with an invalid callback: April's callback rate is 1/2.
"""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.kpi.analysis import kpi_forecast
from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.forecast import forecast_cut, pending_condition
from jiesu.kpi.tests.support import at, build_march_ledger, callback, ticket
from jiesu.orgs.testing import World
from jiesu.tickets.choices import Satisfaction, TicketStatus
from jiesu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
START, END, TODAY = date(2024, 4, 1), date(2024, 4, 30), date(2024, 4, 10)


def build_april(world: World) -> dict[str, Ticket]:
    build_march_ledger(world)
    return {
        "P1": ticket(
            world,
            received_at=at(4, 2),
            closed_at=at(4, 5),
            **callback(True, True, True, Satisfaction.SATISFIED),
        ),
        "P2": ticket(world, received_at=at(4, 3), reply_due_at=at(4, 20, 18)),
        "P3": ticket(world, received_at=at(4, 3), reply_due_at=at(4, 8, 18)),
    }


def test_the_forecast_of_april_by_hand(world: World) -> None:
    build_april(world)
    result = kpi_forecast(scheme_code="beijing-3rates", start=START, end=END, today=TODAY)
    ind = result["indicators"]
    # the three rates: P2 and P3 still await a callback and join at the history's rates
    assert ind["response_rate"] == {"current": 1, "forecast": 1, "open": 2}
    assert ind["resolution_rate"]["forecast"] == pytest.approx((1 + 0.75 * 2) / 3, abs=1e-6)
    assert ind["satisfaction_rate"]["forecast"] == pytest.approx((1 + 0.725 * 2) / 3, abs=1e-6)
    # P3 is overdue: a failure; P2 may still be on time at 2/3
    assert ind["on_time_reply_rate"] == {"current": 0, "forecast": pytest.approx(1 / 3, abs=1e-6), "open": 1}
    assert ind["on_time_completion_rate"]["forecast"] == pytest.approx(1 / 3, abs=1e-6)
    assert ind["completion_rate"]["current"] == pytest.approx(1 / 3, abs=1e-6)
    assert ind["completion_rate"]["forecast"] == pytest.approx((1 + 5 / 6 * 2) / 3, abs=1e-6)
    assert ind["callback_rate"] == {"current": 0.5, "forecast": 0.5, "open": 0}
    # 3 received in 10 of 30 days
    assert ind["volume"] == {"current": 3, "forecast": 9, "open": None}
    # 10 + 50 × 2.5/3 + 40 × 2.45/3 = 10 + 41.6667 + 32.6667
    assert result["score"] == {"current": 100, "forecast": 84.33}
    assert result["method"].startswith("期末预测")
    assert result["groups"][0]["key"] == "all"


def test_the_open_counts_drill_down_to_their_tickets(world: World) -> None:
    tickets = build_april(world)
    window = window_of_days(START, END)
    cut = forecast_cut(TODAY)
    reply = Ticket.objects.filter(pending_condition("on_time_reply_rate", window, cut))
    assert list(reply) == [tickets["P2"]]
    waiting = Ticket.objects.filter(pending_condition("satisfaction_rate", window, cut))
    assert set(waiting) == {tickets["P2"], tickets["P3"]}


def test_merged_and_returned_tickets_are_never_open(world: World) -> None:
    """Neither will be closed or called back: they stay failures, not tickets still to come."""
    tickets = build_april(world)
    merged = ticket(world, received_at=at(4, 4), reply_due_at=at(4, 20, 18), status=TicketStatus.MERGED)
    ticket(world, received_at=at(4, 4), reply_due_at=at(4, 20, 18), status=TicketStatus.RETURNED_TO_CITY)
    window, cut = window_of_days(START, END), forecast_cut(TODAY)
    for code in ("on_time_reply_rate", "satisfaction_rate", "completion_rate"):
        opened = set(Ticket.objects.filter(pending_condition(code, window, cut)))
        assert merged not in opened and tickets["P2"] in opened
    result = kpi_forecast(scheme_code="beijing-3rates", start=START, end=END, today=TODAY)
    assert result["indicators"]["on_time_reply_rate"]["open"] == 1
    assert result["indicators"]["response_rate"]["open"] == 2


def test_without_history_open_tickets_count_at_the_current_rate(world: World) -> None:
    ticket(world, received_at=at(4, 2), closed_at=at(4, 5), **callback(True, True, False, Satisfaction.SATISFIED))
    ticket(world, received_at=at(4, 3))
    result = kpi_forecast(scheme_code="beijing-3rates", start=START, end=END, today=TODAY)
    assert result["indicators"]["resolution_rate"] == {"current": 0, "forecast": 0, "open": 1}
    assert result["indicators"]["response_rate"] == {"current": 1, "forecast": 1, "open": 1}


def test_forecast_by_group_and_the_payment_effect(world: World) -> None:
    build_april(world)
    result = kpi_forecast(
        scheme_code="yanta-quarterly",
        start=date(2024, 4, 1),
        end=date(2024, 6, 30),
        today=date(2024, 4, 10),
        by=Grouping.TOWNSHIP,
    )
    assert [g["key"] for g in result["groups"]] == [world.township.code]
    assert result["payment"]["current"] is not None
    assert result["indicators"].keys() == result["groups"][0]["indicators"].keys()


def test_after_the_period_ends_the_volume_is_not_extrapolated(world: World) -> None:
    build_april(world)
    result = kpi_forecast(
        scheme_code="beijing-3rates", start=date(2024, 4, 1), end=date(2024, 4, 30), today=date(2024, 5, 3)
    )
    assert result["indicators"]["volume"]["forecast"] == 3
    # P2's deadline (04-20) has passed: now a failure, nothing left open
    assert result["indicators"]["on_time_reply_rate"] == {"current": 0, "forecast": 0, "open": 0}
