"""Commendations and criticisms from superiors (Yanta item 4, 上级表扬 / 批评): recording,
revoking, and the points they add to a scheme's adjustment item within a window.

An entry names a scheme, a date, points and a reason, and either the whole centre (no unit) or
one unit. In an evaluation, the entries of the whole centre apply to the one group of `by=all`;
a unit's entries apply to the group of that unit (by unit, district or township). The item's
points are base + commendations − criticisms, clamped to the item's [min, max] (jiesu.kpi.scoring).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiesu.kpi.choices import AdjustmentKind, Grouping, ItemKind
from jiesu.kpi.models import AssessmentAdjustment
from jiesu.kpi.permissions import kpi_viewer_where
from jiesu.kpi.selectors import NO_GROUP_KEY, scheme_in_force
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope

RECORDER_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEAD})
# The groupings whose groups are units, so that a unit's entries can find their group.
UNIT_GROUPINGS = frozenset({Grouping.UNIT, Grouping.DISTRICT, Grouping.TOWNSHIP})
MAX_POINTS = Decimal(100)


def _check_recorder(actor: User | None) -> None:
    """The centre's leaders, analysts and shift leads record entries; None is the system (CLI)."""
    if actor is None:
        return
    if not (actor.is_active and actor.has_role(*RECORDER_ROLES) and user_scope(actor).everything):
        raise PermissionDenied("只有中心的领导、分析员和班长可以录入或撤销表扬/批评记录")


def _points(value: Decimal | str | int | float) -> Decimal:
    try:
        points = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed("分值必须是数字", field="points") from None
    if not points.is_finite() or points <= 0 or points > MAX_POINTS:
        raise ValidationFailed("分值必须大于 0 且不超过 100", field="points")
    if points != points.quantize(Decimal("0.01")):
        raise ValidationFailed("分值最多保留两位小数", field="points")
    return points


def adjustment_record(
    *,
    scheme_code: str,
    kind: str,
    occurred_on: date,
    points: Decimal | str | int | float,
    reason: str,
    unit: Unit | None = None,
    document_number: str = "",
    actor: User | None,
) -> AssessmentAdjustment:
    """Record one commendation or criticism; the scheme in force on `occurred_on` must have a
    表扬 / 批评 item."""
    _check_recorder(actor)
    if kind not in AdjustmentKind.values:
        raise ValidationFailed("类别必须是 commendation（表扬）或 criticism（批评）", field="kind")
    if not reason.strip():
        raise ValidationFailed("请填写事由", field="reason")
    scheme = scheme_in_force(code=scheme_code, on=occurred_on)
    if not any(item.kind == ItemKind.ADJUSTMENT for item in scheme.items.all()):
        raise ValidationFailed(f"考核方案“{scheme.name}”没有表扬/批评考核项", field="scheme")
    with transaction.atomic():
        entry = AssessmentAdjustment.objects.create(
            scheme_code=scheme.code,
            kind=kind,
            unit=unit,
            occurred_on=occurred_on,
            points=_points(points),
            reason=reason.strip(),
            document_number=document_number.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="kpi.adjustment_record",
            obj=entry,
            detail={"scheme": scheme.code, "kind": kind, "points": str(entry.points), "on": occurred_on.isoformat()},
        )
    return entry


def adjustment_revoke(*, adjustment_id: int, reason: str, actor: User | None) -> AssessmentAdjustment:
    """Take an entry out of every evaluation from now on; the entry itself stays, for the record."""
    _check_recorder(actor)
    if not reason.strip():
        raise ValidationFailed("请填写撤销原因", field="reason")
    with transaction.atomic():
        entry = AssessmentAdjustment.objects.select_for_update().filter(pk=adjustment_id).first()
        if entry is None:
            raise NotFound("表扬/批评记录不存在", id=adjustment_id)
        # A conditional update: of two concurrent revocations exactly one wins (SQLite has no row locks).
        now = timezone.now()
        done = AssessmentAdjustment.objects.filter(pk=entry.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, revoke_reason=reason.strip()
        )
        if done != 1:
            raise Conflict("该记录已撤销", id=adjustment_id)
        entry.refresh_from_db()
        audit_record(actor=actor, action="kpi.adjustment_revoke", obj=entry, detail={"reason": reason.strip()})
    return entry


def adjustments_visible_to(viewer: User | None) -> Q:
    """The entries a KPI viewer may read: all for the centre (and the system), the entries of its
    own subtree's units for a unit's leaders and analysts (not the centre's, not other units').
    PermissionDenied for roles that may not see KPIs (jiesu.kpi.permissions)."""
    if kpi_viewer_where(viewer) is None:
        return Q()
    return Q(unit__path__startswith=user_scope(viewer).unit_path)


def adjustments_list(
    *,
    scheme_code: str | None = None,
    start: date | None = None,
    end: date | None = None,
    active_only: bool = False,
    viewer: User | None = None,
) -> QuerySet[AssessmentAdjustment]:
    """`viewer` None: every entry (evaluation, CLI); otherwise those `adjustments_visible_to` it."""
    entries = AssessmentAdjustment.objects.select_related("unit", "recorded_by", "revoked_by")
    if viewer is not None:
        entries = entries.filter(adjustments_visible_to(viewer))
    if scheme_code:
        entries = entries.filter(scheme_code=scheme_code)
    if start is not None:
        entries = entries.filter(occurred_on__gte=start)
    if end is not None:
        entries = entries.filter(occurred_on__lte=end)
    if active_only:
        entries = entries.filter(revoked_at__isnull=True)
    return entries.order_by("occurred_on", "id")


def adjustment_points_by_group(
    *, scheme_code: str, start: date, end: date, by: str, narrowed: bool = False
) -> dict[str, Decimal]:
    """Signed points of the entries in force within [start, end], per group key of `by`.

    `narrowed`: the figures count only part of the tickets (one unit's scope, a topic). That part
    is not the centre, so the centre-wide entries do not apply to its single group."""
    if by != Grouping.ALL and by not in UNIT_GROUPINGS:
        return {}
    if by == Grouping.ALL and narrowed:
        return {}
    entries = adjustments_list(scheme_code=scheme_code, start=start, end=end, active_only=True)
    entries = entries.filter(Q(unit__isnull=True) if by == Grouping.ALL else Q(unit__isnull=False))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        key = "all" if entry.unit is None else (entry.unit.code or str(entry.unit.pk) or NO_GROUP_KEY)
        totals[key] += entry.signed_points
    return dict(totals)
