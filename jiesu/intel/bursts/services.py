"""Turning bursts into alerts, telling the analysts, and handling the alerts.

A cell alerts at most once per window: the unique (key, window) constraint makes a second run over
the same window a no-op, and a cell with an alert whose window overlaps the new one is skipped, so
that a daily run does not raise the same burst seven times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiesu.intel.bursts.config import BurstSettings
from jiesu.intel.bursts.detect import Burst, bursts_detect
from jiesu.intel.bursts.selectors import ALERT_GONE, HANDLE_DENIED, can_handle_alerts
from jiesu.intel.choices import AlertStatus
from jiesu.intel.models import BurstAlert
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role

ALREADY_HANDLED = "该预警已排除，不能再处理"
REFERENCE_MAX = 200
# Where each status may go: an acknowledged alert may still turn out to be noise.
MOVES = {
    AlertStatus.ACKNOWLEDGED: (AlertStatus.NEW,),
    AlertStatus.DISMISSED: (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED),
}


@dataclass
class BurstRun:
    bursts: list[Burst]
    created: list[BurstAlert] = field(default_factory=list)


def bursts_run(*, on: date, dry_run: bool = False, settings: BurstSettings | None = None) -> BurstRun:
    """Detect the bursts of the window ending on `on`; unless `dry_run`, store the new ones as
    alerts and tell the center's analysts about each once."""
    run = BurstRun(bursts=bursts_detect(on, settings))
    if dry_run:
        return run
    for burst in run.bursts:
        alert = _alert_create(burst)
        if alert is not None:
            run.created.append(alert)
            _notify(alert)
    return run


def _alert_create(burst: Burst) -> BurstAlert | None:
    overlapping = BurstAlert.objects.filter(
        key=burst.key, window_start__lte=burst.span.end, window_end__gte=burst.span.start
    )
    if overlapping.exists():
        return None
    try:
        with transaction.atomic():
            return BurstAlert.objects.create(
                key=burst.key,
                label=burst.label,
                window_start=burst.span.start,
                window_end=burst.span.end,
                count=burst.count,
                expected=round(burst.expected.value, 2),
                score=burst.score,
                ticket_numbers=burst.ticket_numbers,
            )
    except IntegrityError:
        return None  # a concurrent run stored the same window first


def alert_link(alert: BurstAlert) -> str:
    try:
        return f"{reverse('web:intel_alerts')}#alert-{alert.pk}"
    except NoReverseMatch:
        return ""


def _notify(alert: BurstAlert) -> None:
    analysts = list(users_with_role(roles=[Role.ANALYST], center=True))
    notification_enqueue(
        recipients=analysts,
        subject=f"热点突增预警：{alert.label}",
        body=(
            f"{alert.window_start:%m月%d日}至{alert.window_end:%m月%d日}受理 {alert.count} 件，"
            f"往年同期基线 {alert.expected:.1f} 件。请在“突增预警”页面查看并处理。"
        ),
        link=alert_link(alert),
        dedupe_key=f"intel.burst:{alert.pk}",
    )


def _handle(alert_id: int, actor: User, status: AlertStatus) -> BurstAlert:
    if not can_handle_alerts(actor):
        raise PermissionDenied(HANDLE_DENIED)
    with transaction.atomic():
        alert = BurstAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound(ALERT_GONE)
        if alert.status == status:
            return alert  # a second click changes nothing
        if alert.status not in MOVES[status]:
            raise Conflict(ALREADY_HANDLED)
        alert.status, alert.handled_by, alert.handled_at = status, actor, timezone.now()
        alert.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(actor=actor, action=f"intel.burst_{status}", obj=alert, detail={"key": alert.key})
    return alert


def alert_acknowledge(*, alert_id: int, actor: User) -> BurstAlert:
    return _handle(alert_id, actor, AlertStatus.ACKNOWLEDGED)


def alert_dismiss(*, alert_id: int, actor: User) -> BurstAlert:
    return _handle(alert_id, actor, AlertStatus.DISMISSED)


def alert_draft_set(*, alert: BurstAlert, reference: str, actor: User | None) -> BurstAlert:
    """Record the special-report draft made for the alert ("job:<id>" while it is generated,
    "report:<id>" once stored)."""
    if actor is not None and not can_handle_alerts(actor):
        raise PermissionDenied(HANDLE_DENIED)
    if not reference or len(reference) > REFERENCE_MAX:
        raise ValidationFailed("专报草稿引用无效")
    BurstAlert.objects.filter(pk=alert.pk).update(draft_reference=reference)
    alert.draft_reference = reference
    return alert
