"""Reads of the callback (回访) work: the due list and the coverage of closed tickets.

The due list is every closed ticket of the viewer's scope whose latest closing has no callback
yet (conditions.CALLBACK_DUE, the same rule as the home queue "待回访"). Coverage compares the
tickets closed in a window with those among them that have a callback for that closing, valid or
closed as not contactable; the target is 100 %. Both are measured on each ticket's latest closing:
a ticket reopened by rework leaves the window and counts again when it closes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.conditions import CALLBACK_DUE
from jiesu.tickets.models import CallbackAttempt, Ticket
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_search import moment_range

# Who works the callback desk or watches it; recording needs a callback role of the workflow table.
CALLBACK_VIEWER_ROLES = (Role.CALLBACK_AGENT, Role.AGENT, Role.SHIFT_LEAD, Role.LEADER, Role.ANALYST)
CENTER_KEY, NO_DISTRICT_KEY = "center", "none"
CENTER_LABEL, NO_DISTRICT_LABEL = "中心直接办结", "未标注所属区"
CoverageBy = Literal["unit", "district"]
COVERAGE_BY: dict[str, str] = {"unit": "按承办单位", "district": "按所属区"}
COVERED = Q(callback_at__gte=F("closed_at"))
MIN_YEAR, MAX_YEAR = 2000, 2100  # a window's days become moments; outside this range they overflow or mean nothing


def callbacks_may_view(viewer: User | None) -> bool:
    """The callback desk is for the callback, agent, shift-lead and leadership roles (the system too)."""
    if viewer is None:
        return True
    return viewer.is_active and viewer.has_role(*CALLBACK_VIEWER_ROLES) and not user_scope(viewer).nothing


def callbacks_ensure_viewer(viewer: User | None) -> None:
    if not callbacks_may_view(viewer):
        raise PermissionDenied("您的角色无权查看回访工作台")


@dataclass(frozen=True)
class CallbackDueFilter:
    """Filters of the due list; None means "any". `unit_id` includes the units below it."""

    unit_id: int | None = None
    district_id: int | None = None
    overdue: bool | None = None
    attempted: bool | None = None


def _unit_condition(unit_id: int) -> Q:
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        raise ValidationFailed("单位不存在", field="unit")
    return Q(lead_unit__path__startswith=path)


def callback_overdue_condition(now: datetime) -> Q:
    return Q(callback_due_at__lt=now)


def callbacks_due(
    *, viewer: User | None, filters: CallbackDueFilter | None = None, now: datetime | None = None
) -> QuerySet[Ticket]:
    """Closed tickets awaiting a callback, earliest callback deadline first (so the overdue ones
    lead), tickets without a deadline last."""
    callbacks_ensure_viewer(viewer)
    filters = filters or CallbackDueFilter()
    now = now or timezone.now()
    cond = CALLBACK_DUE
    if filters.unit_id is not None:
        cond &= _unit_condition(filters.unit_id)
    if filters.district_id is not None:
        cond &= Q(district_id=filters.district_id)
    if filters.overdue is not None:
        late = callback_overdue_condition(now)
        cond &= late if filters.overdue else ~late | Q(callback_due_at__isnull=True)
    if filters.attempted is not None:
        cond &= Q(callback_attempts__gt=0) if filters.attempted else Q(callback_attempts=0)
    return (
        tickets_visible_to(viewer=viewer)
        .filter(cond)
        .select_related("district", "township", "lead_unit", "category")
        .order_by(F("callback_due_at").asc(nulls_last=True), "closed_at", "id")
    )


def callback_is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    return ticket.callback_due_at is not None and ticket.callback_due_at < (now or timezone.now())


@dataclass(frozen=True)
class CoverageRow:
    """One line of the coverage table: tickets closed in the window and how many have a callback."""

    key: str
    name: str
    closed: int
    covered: int
    valid: int

    @property
    def invalid(self) -> int:
        """Closed as not contactable, or reached but judged invalid."""
        return self.covered - self.valid

    @property
    def missing(self) -> int:
        return self.closed - self.covered

    @property
    def rate(self) -> float | None:
        """Covered / closed; None ("不适用") without closed tickets, never 0 % or 100 %."""
        return self.covered / self.closed if self.closed else None

    @property
    def meets_target(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class CallbackCoverage:
    date_from: date
    date_to: date
    by: str
    total: CoverageRow
    rows: list[CoverageRow]


def _closed_in(viewer: User | None, date_from: date, date_to: date) -> QuerySet[Ticket]:
    for value, field in ((date_from, "from"), (date_to, "to")):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationFailed(f"日期的年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间", field=field)
    if date_to < date_from:
        raise ValidationFailed("结束日期不能早于开始日期", field="to")
    return tickets_visible_to(viewer=viewer).filter(
        moment_range("closed_at", date_from, date_to), status=TicketStatus.CLOSED
    )


def _group_field(by: str) -> str:
    if by not in COVERAGE_BY:
        raise ValidationFailed(f"不支持的分组：{by}", field="by")
    return "lead_unit_id" if by == "unit" else "district_id"


def _group_names(ids: list[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def callback_coverage(*, viewer: User | None, date_from: date, date_to: date, by: str = "unit") -> CallbackCoverage:
    """Coverage of the window (closing days, both ends included) in total and per group, in one
    aggregate query; groups with the most missing callbacks first."""
    callbacks_ensure_viewer(viewer)
    field = _group_field(by)
    counts = {
        "closed": Count("pk"),
        "covered": Count("pk", filter=COVERED),
        "valid": Count("pk", filter=COVERED & Q(callback_valid=True)),
    }
    grouped = list(_closed_in(viewer, date_from, date_to).order_by().values(field).annotate(**counts))
    names = _group_names([g[field] for g in grouped if g[field] is not None])
    empty_key, empty_label = (CENTER_KEY, CENTER_LABEL) if by == "unit" else (NO_DISTRICT_KEY, NO_DISTRICT_LABEL)
    rows = [
        CoverageRow(
            key=str(g[field]) if g[field] is not None else empty_key,
            name=names.get(g[field], "") if g[field] is not None else empty_label,
            closed=g["closed"],
            covered=g["covered"],
            valid=g["valid"],
        )
        for g in grouped
    ]
    rows.sort(key=lambda r: (-r.missing, r.rate if r.rate is not None else 1.0, r.name, r.key))
    total = CoverageRow(
        key="all",
        name="合计",
        closed=sum(r.closed for r in rows),
        covered=sum(r.covered for r in rows),
        valid=sum(r.valid for r in rows),
    )
    return CallbackCoverage(date_from=date_from, date_to=date_to, by=by, total=total, rows=rows)


def callback_coverage_tickets(
    *,
    viewer: User | None,
    date_from: date,
    date_to: date,
    part: str = "missing",
    by: str = "unit",
    key: str = "all",
) -> QuerySet[Ticket]:
    """The tickets behind a coverage figure: `part` is "closed", "covered" or "missing" (closed
    without a callback); `key` a group key of `callback_coverage` rows, or "all"."""
    callbacks_ensure_viewer(viewer)
    parts = {"closed": Q(), "covered": COVERED, "missing": ~COVERED | Q(callback_at__isnull=True)}
    if part not in parts:
        raise ValidationFailed(f"不支持的明细类别：{part}", field="part")
    qs = _closed_in(viewer, date_from, date_to).filter(parts[part])
    if key != "all":
        field = _group_field(by)
        if key in (CENTER_KEY, NO_DISTRICT_KEY):
            qs = qs.filter(**{f"{field.removesuffix('_id')}__isnull": True})
        elif key.isdigit() and len(key) < 19:
            qs = qs.filter(**{field: int(key)})
        else:
            raise ValidationFailed(f"分组编号无效：{key}", field="key")
    return qs.select_related("district", "township", "lead_unit", "category").order_by("closed_at", "id")


def callback_attempts_of(*, ticket: Ticket, limit: int = 50) -> list[CallbackAttempt]:
    """The ticket's calls, newest first, with who placed them."""
    rows = CallbackAttempt.objects.filter(ticket=ticket).select_related("agent").order_by("-attempted_at", "-id")
    return list(rows[:limit])
