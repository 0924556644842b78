"""Who sees and handles burst alerts, and reading them.

Alerts describe the whole hotline, like report packs: the center's leaders, analysts and shift
leads read them; analysts and shift leads acknowledge or dismiss them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from jiesu.core.errors import NotFound, PermissionDenied
from jiesu.intel.bursts.labels import label_words
from jiesu.intel.choices import AlertStatus
from jiesu.intel.models import BurstAlert
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.models import Category, Ticket

READER_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEAD})
HANDLER_ROLES = frozenset({Role.ANALYST, Role.SHIFT_LEAD})
READ_DENIED = "热点与突增预警仅对热线中心的领导、分析员和班长开放"
HANDLE_DENIED = "只有热线中心的分析员和班长可以处理突增预警"
ALERT_GONE = "突增预警不存在"


def can_read_alerts(user: User | None) -> bool:
    if user is None or not user.is_active or not user.has_role(*READER_ROLES):
        return False
    return user_scope(user).everything


def can_handle_alerts(user: User | None) -> bool:
    return can_read_alerts(user) and user is not None and user.has_role(*HANDLER_ROLES)


def reader_check(user: User | None) -> User:
    if user is None or not can_read_alerts(user):
        raise PermissionDenied(READ_DENIED)
    return user


def alerts_for(viewer: User, *, status: str = "") -> QuerySet[BurstAlert]:
    """New alerts first, then acknowledged, then dismissed; within each the latest window first,
    then the most improbable, then in the order detected (a township before its district)."""
    reader_check(viewer)
    alerts = BurstAlert.objects.select_related("handled_by")
    if status:
        alerts = alerts.filter(status=status)
    rank = Case(
        When(status=AlertStatus.NEW, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return alerts.annotate(rank=rank).order_by("rank", "-window_end", "-score", "pk")


def alert_get_for(viewer: User, pk: int) -> BurstAlert:
    reader_check(viewer)
    alert = BurstAlert.objects.filter(pk=pk).select_related("handled_by").first()
    if alert is None:
        raise NotFound(ALERT_GONE)
    return alert


def alert_category(alert: BurstAlert) -> Category | None:
    """The category of the alert's cell, from its key ("cat:<code>|<kind>:<unit code>")."""
    head, _, _ = alert.key.partition("|")
    code = head.removeprefix("cat:")
    return Category.objects.filter(code=code).first() if code else None


def alert_area(alert: BurstAlert) -> Unit | None:
    """The unit of the alert's cell (a district or a township), from its key ("…|<kind>:<unit code
    or id>"); None when it is gone."""
    _, _, cell = alert.key.partition("|")
    kind, _, ref = cell.partition(":")
    if not ref:
        return None
    units = Unit.objects.filter(kind=kind)
    found = units.filter(code=ref).first()
    if found is None and ref.isascii() and ref.isdigit():  # a unit without a code is keyed by its id
        found = units.filter(pk=int(ref)).first()
    return found


def alert_daily(alert: BurstAlert) -> list[tuple[date, int]]:
    """The alert's tickets per day of its window (the chart on the alerts page)."""
    days = Counter(
        timezone.localdate(moment)
        for moment in Ticket.objects.filter(number__in=alert.ticket_numbers).values_list("received_at", flat=True)
    )
    span = (alert.window_end - alert.window_start).days + 1
    return [(d, days.get(d, 0)) for d in (alert.window_start + timedelta(days=i) for i in range(span))]


def draft_topic(alert: BurstAlert) -> str:
    """The keyword a special report narrows by (with the cell's area, `alert_area`): of the cell's category
    name, the label's hotspot words and the names of the tickets' own (deeper) categories, the one
    found in the most of the alert's tickets; the earlier candidate on a tie."""
    tickets = Ticket.objects.filter(number__in=alert.ticket_numbers)
    category = alert_category(alert)
    deeper = sorted(set(tickets.exclude(category=None).values_list("category__name", flat=True)))
    candidates = list(
        dict.fromkeys(w for w in [category.name if category else "", *label_words(alert.label), *deeper] if w)
    )
    if not candidates:
        return ""
    texts = [f"{title}\n{content}" for title, content in tickets.values_list("title", "content")]
    return max(candidates, key=lambda w: (sum(w in text for text in texts), -candidates.index(w)))
