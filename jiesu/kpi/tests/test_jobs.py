"""The payment alert after a quarter below full payment, and the second-failed-quarter warning."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from jiesu.kpi.choices import PaymentAlertKind
from jiesu.kpi.jobs import payment_alerts_job
from jiesu.kpi.models import PaymentAlert
from jiesu.kpi.tests.support import BEIJING, at, build_march_ledger, ticket
from jiesu.notify.models import Notification
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def test_a_failed_quarter_alerts_the_leaders_once(world: World) -> None:
    build_march_ledger(world)  # Q1 2024 scores far below 90 on yanta-quarterly
    now = datetime(2024, 4, 2, 9, tzinfo=BEIJING)
    assert payment_alerts_job(now) == 1
    assert payment_alerts_job(now) == 0
    alert = PaymentAlert.objects.get()
    assert (alert.scheme_code, alert.kind, str(alert.period_start)) == (
        "yanta-quarterly",
        PaymentAlertKind.FAILED_QUARTER,
        "2024-01-01",
    )
    assert alert.payment_share == Decimal("0.8")
    [note] = Notification.objects.filter(recipient=world.leader)
    assert "2024年第1季度" in note.title and "80%" in note.title
    assert not Notification.objects.filter(recipient=world.analyst).exists()


def test_a_quarter_without_a_score_alerts_nobody(world: World) -> None:
    # no tickets: every deduction item keeps its points, 100 → full payment
    assert payment_alerts_job(datetime(2024, 4, 2, 9, tzinfo=BEIJING)) == 0


def test_a_second_failed_quarter_is_a_warning(world: World) -> None:
    build_march_ledger(world)
    # Q2: one ticket never acknowledged, replied or closed: 100 − 10 − 10 − 20 = 60 points
    ticket(world, received_at=at(5, 1), acknowledge_due_at=at(5, 1, 11), reply_due_at=at(5, 10, 18))
    assert payment_alerts_job(datetime(2024, 7, 1, 9, tzinfo=BEIJING)) == 1
    alert = PaymentAlert.objects.get()
    assert str(alert.period_start) == "2024-04-01"
    assert alert.kind == PaymentAlertKind.SECOND_FAILED_QUARTER and alert.score == 60
    [note] = Notification.objects.filter(recipient=world.leader)
    assert note.title.startswith("连续两个考核期")
