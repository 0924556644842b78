"""Yanta item 4: commendations and criticisms move the 20-point item, clamped to [0, 20].

The March ledger scores 30 on yanta-quarterly over March (every deduction item at 0 except
normal dispatch, 10; the item 4 base, 20; see test_cli.py), which pays 80 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.kpi.adjustments import adjustment_record, adjustment_revoke, adjustments_list
from jiesu.kpi.choices import AdjustmentKind, Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
C, P = AdjustmentKind.COMMENDATION, AdjustmentKind.CRITICISM


def record(world: World, kind: str, points: str, on: date, **extra: object) -> int:
    entry = adjustment_record(
        scheme_code="yanta-quarterly",
        kind=kind,
        occurred_on=on,
        points=points,
        reason="区政府通报",
        document_number="雁政办〔2024〕1号",
        actor=world.analyst,
        **extra,  # type: ignore[arg-type]
    )
    return entry.pk


def whole() -> dict[str, Any]:
    [group] = kpi_evaluate(scheme_code="yanta-quarterly", start=date(2024, 3, 1), end=date(2024, 3, 31))["groups"]
    return cast(dict[str, Any], group)


def test_a_criticism_deducts_and_a_commendation_adds_within_the_clamp(world: World) -> None:
    build_march_ledger(world)
    assert (whole()["score"], whole()["adjustment"]) == (30, 0)
    record(world, P, "5", date(2024, 3, 10))
    assert (whole()["score"], whole()["adjustment"]) == (25, -5)
    record(world, C, "8", date(2024, 3, 20))
    # 20 − 5 + 8 = 23, clamped to the item's maximum of 20
    assert (whole()["score"], whole()["adjustment"]) == (30, 3)
    record(world, P, "30", date(2024, 3, 21))
    # 20 + 3 − 30 < 0: the item falls to its minimum, 0
    assert whole()["score"] == 10 and whole()["payment"] == 0.8


def test_only_entries_within_the_window_and_not_revoked_count(world: World) -> None:
    build_march_ledger(world)
    record(world, P, "4", date(2024, 4, 1))
    record(world, P, "2.5", date(2024, 2, 29))
    revoked = record(world, P, "6", date(2024, 3, 5))
    adjustment_revoke(adjustment_id=revoked, reason="录入错误", actor=world.leader)
    assert whole()["score"] == 30
    with pytest.raises(Conflict, match="已撤销"):
        adjustment_revoke(adjustment_id=revoked, reason="再次撤销", actor=world.leader)
    q1 = kpi_evaluate(scheme_code="yanta-quarterly", start=date(2024, 1, 1), end=date(2024, 3, 31))["groups"][0]
    assert q1["adjustment"] == -2.5
    assert [e.occurred_on for e in adjustments_list(scheme_code="yanta-quarterly", active_only=True)] == [
        date(2024, 2, 29),
        date(2024, 4, 1),
    ]


def test_a_unit_entry_moves_only_that_units_group(world: World) -> None:
    build_march_ledger(world)
    record(world, P, "5", date(2024, 3, 10), unit=world.township)
    groups = {
        g["key"]: g
        for g in kpi_evaluate(
            scheme_code="yanta-quarterly", start=date(2024, 3, 1), end=date(2024, 3, 31), by=Grouping.TOWNSHIP
        )["groups"]
    }
    assert groups[world.township.code]["adjustment"] == -5
    assert groups[world.other_township.code]["adjustment"] == 0
    assert whole()["adjustment"] == 0  # the centre's own score is not moved by a unit's entry


def test_a_narrowed_view_is_not_moved_by_the_centres_entries(world: World) -> None:
    """A unit leader's figures (kpi_viewer_where) count only the unit's tickets: a commendation
    of the whole centre is not theirs."""
    from django.db.models import Q

    build_march_ledger(world)
    record(world, P, "5", date(2024, 3, 10))
    [narrowed] = kpi_evaluate(
        scheme_code="yanta-quarterly",
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
        where=Q(township=world.township),
    )["groups"]
    assert narrowed["adjustment"] == 0
    assert whole()["adjustment"] == -5


def test_schemes_without_the_item_ignore_and_refuse_entries(world: World) -> None:
    build_march_ledger(world)
    [group] = kpi_evaluate(scheme_code="beijing-3rates", start=date(2024, 3, 1), end=date(2024, 3, 31))["groups"]
    assert group["adjustment"] is None
    with pytest.raises(ValidationFailed, match="没有表扬/批评考核项"):
        adjustment_record(
            scheme_code="beijing-3rates", kind=C, occurred_on=date(2024, 3, 1), points=1, reason="x", actor=None
        )


@pytest.mark.parametrize(
    ("points", "message"),
    [("0", "大于 0"), ("-1", "大于 0"), ("101", "不超过 100"), ("1.234", "两位小数"), ("x", "数字")],
)
def test_points_are_checked(world: World, points: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        record(world, C, points, date(2024, 3, 1))


def test_only_centre_leaders_analysts_and_shift_leads_record(world: World) -> None:
    for user in (world.agent, world.township_staff, world.outsider):
        with pytest.raises(PermissionDenied):
            adjustment_record(
                scheme_code="yanta-quarterly", kind=C, occurred_on=date(2024, 3, 1), points=1, reason="x", actor=user
            )
    with pytest.raises(ValidationFailed, match="事由"):
        adjustment_record(
            scheme_code="yanta-quarterly", kind=C, occurred_on=date(2024, 3, 1), points=1, reason=" ", actor=None
        )


def test_recording_and_revoking_are_audited(world: World) -> None:
    pk = record(world, C, "1.5", date(2024, 3, 1))
    adjustment_revoke(adjustment_id=pk, reason="重复录入", actor=world.leader)
    actions = list(
        AuditEntry.objects.filter(object_type="kpi.assessmentadjustment", object_id=str(pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["kpi.adjustment_record", "kpi.adjustment_revoke"]
    entry = adjustments_list().get(pk=pk)
    assert entry.points == Decimal("1.5") and entry.revoked_by == world.leader
